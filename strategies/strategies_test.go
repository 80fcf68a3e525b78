package strategies

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/pyref"
	"github.com/poolbench/poolbench/workloads"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if served, err := procpool.ServeRole(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// Race-built children would each sleep a second on exit, which only
	// slows the tests down.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	// Tasks abandoned by an in-process timeout still sleep: that is the
	// behaviour being measured, not a leak.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/poolbench/poolbench/workloads.registerFaulty.faulty.func1"))
}

func plan(t *testing.T, workload, size string, tasks, workers int) Plan {
	t.Helper()
	w, err := workloads.Lookup(workload)
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.ParseSize(size)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := python()
	return Plan{Workload: w, Size: n, Tasks: tasks, Workers: workers, Python: in.Path}
}

// python is the system's python3 for the py-* strategies, found once.
var python = sync.OnceValues(func() (pyref.Interpreter, error) { return pyref.Find(context.Background(), "") })

// skipPythonWithout skips a py-* strategy's test when there is no python3
// (CI installs one).
func skipPythonWithout(t *testing.T, p Plan, s Strategy) {
	t.Helper()
	if IsPython(s.Name()) && p.Python == "" {
		_, err := python()
		t.Skipf("no python3: %v", err)
	}
}

// TestEveryStrategyOnEveryWorkload runs each strategy on a small batch and
// checks that every task ran exactly once with the same results as serial.
func TestEveryStrategyOnEveryWorkload(t *testing.T) {
	for _, wl := range []struct{ name, size string }{{"cpu", "2000"}, {"io", "2ms"}, {"noop", "0"}} {
		p := plan(t, wl.name, wl.size, 12, 3)
		want := NewRecorder()
		if err := (Serial{}).Run(context.Background(), p, want); err != nil {
			t.Fatal(err)
		}
		for _, s := range All() {
			t.Run(wl.name+"/"+s.Name(), func(t *testing.T) {
				skipPythonWithout(t, p, s)
				rec := NewRecorder()
				if err := s.Run(context.Background(), p, rec); err != nil {
					t.Fatal(err)
				}
				o := rec.Outcome()
				if o.Tasks != 12 || o.Errors != 0 {
					t.Fatalf("%d tasks, %d errors (%v)", o.Tasks, o.Errors, o.ErrorSamples)
				}
				if o.Checksum != want.Outcome().Checksum {
					t.Fatalf("checksum %s, serial's %s", o.Checksum, want.Outcome().Checksum)
				}
				if o.Latency[0] <= 0 || o.Latency[3] < o.Latency[0] {
					t.Fatalf("latency quantiles %v", o.Latency)
				}
				spawns := map[string]int{"process-per-task": 12, "pool-apply": 3, "pool-apply-async": 3, "pool-map": 3}
				n := spawns[strings.TrimPrefix(s.Name(), "py-")]
				if IsNATS(s.Name()) {
					// A worker still starting when the last task is done
					// is turned away before it counts as started.
					host, _ := os.Hostname()
					if len(o.Spawns) < 1 || len(o.Spawns) > 3 || o.NATSServer != "embedded" || o.NATSServerStart <= 0 || o.Hosts[host] != 12 {
						t.Fatalf("%d spawns, server %q started in %vs, hosts %v; want 1-3, embedded, 12 tasks on %s", len(o.Spawns), o.NATSServer, o.NATSServerStart, o.Hosts, host)
					}
				} else if len(o.Spawns) != n || o.SpawnCount != n || len(o.SpawnCPU) != n {
					t.Fatalf("%d spawns listed (%d with CPU), %d counted; want %d", len(o.Spawns), len(o.SpawnCPU), o.SpawnCount, n)
				}
				for i, cpu := range o.SpawnCPU {
					// CPython's starts and the NATS pool's are not measured for CPU (0).
					if (cpu <= 0 && !IsPython(s.Name()) && !IsNATS(s.Name())) || cpu > o.Spawns[i]*float64(runtime.NumCPU()) {
						t.Fatalf("spawn %d used %vs of CPU in %vs", i, cpu, o.Spawns[i])
					}
				}
				// The pool's owner: this process, or the interpreter.
				if strings.HasSuffix(s.Name(), "pool-apply-async") && (len(o.CallbackPIDs) != 1 || o.CallbackPIDs[0] != rec.Owner()) {
					t.Fatalf("callbacks ran in %v, want the owner %d", o.CallbackPIDs, rec.Owner())
				}
				if IsPython(s.Name()) == (rec.Owner() == os.Getpid()) {
					t.Fatalf("owner pid %d, this process %d", rec.Owner(), os.Getpid())
				}
				if s.Name() == "pool-apply-async" && (len(o.WorkerPIDs) == 0 || len(o.WorkerPIDs) > 3 || slices.Contains(o.WorkerPIDs, os.Getpid())) {
					t.Fatalf("tasks ran in %v, want 1 to 3 workers other than this process %d", o.WorkerPIDs, os.Getpid())
				}
			})
		}
	}
}

func TestChecksumCatchesDifferentWork(t *testing.T) {
	a, b := NewRecorder(), NewRecorder()
	(Serial{}).Run(context.Background(), plan(t, "cpu", "100", 4, 1), a)
	(Serial{}).Run(context.Background(), plan(t, "cpu", "101", 4, 1), b)
	if a.Outcome().Checksum == b.Outcome().Checksum {
		t.Fatal("different work gave the same checksum")
	}
	c := NewRecorder()
	(Serial{}).Run(context.Background(), plan(t, "cpu", "100", 3, 1), c)
	if a.Outcome().Checksum == c.Outcome().Checksum {
		t.Fatal("a missing task went unnoticed")
	}
}

func TestCancelStopsEveryStrategy(t *testing.T) {
	p := plan(t, "io", "1h", 4, 2)
	for _, s := range All() {
		t.Run(s.Name(), func(t *testing.T) {
			skipPythonWithout(t, p, s)
			if s.Name() == "goroutines" || s.Name() == "goroutines-1cpu" || s.Name() == "goroutine-pool" || s.Name() == "serial" {
				t.Skip("in-process sleeps cannot be interrupted; the trial process is killed instead")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := s.Run(ctx, p, NewRecorder())
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v", err)
			}
			if el := time.Since(start); el > 10*time.Second {
				t.Fatalf("took %v to stop", el)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	if _, err := Lookup("threads"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("Lookup(threads) = %v", err)
	}
	for _, n := range Names() {
		if s, err := Lookup(n); err != nil || s.Name() != n {
			t.Fatalf("Lookup(%s) = %v, %v", n, s, err)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Add(time.Duration(i) * time.Millisecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		got := h.Quantile(tt.q)
		if diff := float64(got-tt.want) / float64(tt.want); diff > 0.025 || diff < -0.025 {
			t.Errorf("q%.2f = %v, want %v within 2.5%%", tt.q, got, tt.want)
		}
	}
	if h.Min() != time.Millisecond || h.Max() != time.Second || h.Count() != 1000 {
		t.Errorf("min %v max %v n %d", h.Min(), h.Max(), h.Count())
	}
}

// A quantile whose rank is the first or the last value is that value, not
// its bucket's middle: with 100 values or fewer, p99 is the maximum, and
// the last point of a finish CDF the last task's end.
func TestHistogramQuantilesAtTheEnds(t *testing.T) {
	var h Histogram
	// From 1.028 ms, low in its bucket, to 50 ms, high in its own: their
	// buckets' middles are above the one and below the other.
	const lo, hi = 1028 * time.Microsecond, 50 * time.Millisecond
	for i := range 50 {
		h.Add(lo + time.Duration(i)*(hi-lo)/49)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0, h.Min()}, {0.01, h.Min()}, {0.99, h.Max()}, {1, h.Max()}} {
		if got := h.Quantile(tt.q); got != tt.want {
			t.Errorf("q%.2f of 50 values = %v, want %v exactly", tt.q, got, tt.want)
		}
	}
}
