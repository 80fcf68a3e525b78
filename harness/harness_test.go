package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/strategies"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	noteWorkerStart()
	delayPipeEcho()
	if served, err := procpool.ServeRole(); served {
		exit(err)
	}
	// Race-built children would each sleep a second on exit, which only
	// slows the tests down.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	goleak.VerifyTestMain(m)
}

// envStarts names a file in which each pool worker this test binary serves
// notes its pid and its parent's as it starts: what a strategy started,
// counted apart from what it recorded.
const envStarts = "HARNESS_TEST_WORKER_STARTS"

func noteWorkerStart() {
	path := os.Getenv(envStarts)
	role, _, _ := strings.Cut(os.Getenv(procpool.EnvRole), ":")
	if path == "" || role != procpool.RoleWorker {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "note worker start:", err)
		os.Exit(1)
	}
	fmt.Fprintln(f, os.Getpid(), os.Getppid()) // one append, whole
	f.Close()
}

// envEchoDelay holds how long the far end of PipeBandwidth waits before it
// serves, standing for a slow start.
const envEchoDelay = "HARNESS_TEST_ECHO_DELAY"

func delayPipeEcho() {
	role, _, _ := strings.Cut(os.Getenv(procpool.EnvRole), ":")
	if d, err := time.ParseDuration(os.Getenv(envEchoDelay)); err == nil && role == rolePipeEcho {
		time.Sleep(d)
	}
}

func exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func small(workloads ...string) Config {
	return Config{
		Workloads:      workloads,
		Tasks:          6,
		Workers:        2,
		TaskSizes:      map[string]string{},
		Repeat:         2,
		Warmup:         1,
		SampleInterval: 5 * time.Millisecond,
		TaskOutput:     io.Discard,
	}
}

func TestRunEveryStrategy(t *testing.T) {
	cfg := small("cpu", "io", "noop")
	cfg.TaskSizes = map[string]string{"cpu": "20k", "io": "5ms"}
	cfg.Warmup = 0
	seen := map[int]bool{}
	run, err := Run(context.Background(), cfg, func(p Progress) { seen[p.Trial] = true })
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * 8 * 2; len(seen) != want {
		t.Errorf("%d trials reported, want %d", len(seen), want)
	}
	if len(run.Results) != 24 {
		t.Fatalf("%d results, want 24", len(run.Results))
	}
	trialPIDs := map[int]bool{}
	for _, r := range run.Results {
		name := r.Strategy + "/" + r.Workload
		if r.Repeats != 2 || len(r.Trials) != 2 {
			t.Errorf("%s: %d repeats", name, r.Repeats)
		}
		if r.ChecksumOK == nil || !*r.ChecksumOK {
			t.Errorf("%s: checksum not confirmed against serial", name)
		}
		// The kernel splits a process's CPU between user and system by
		// which one its ticks caught, so a short trial can show all of
		// it as system time: only the sum must be there.
		if r.WallSeconds.Median <= 0 || r.PeakRSSBytes.Median <= 0 || r.CPUUserSeconds.Max+r.CPUSystemSeconds.Max <= 0 {
			t.Errorf("%s: missing figures: wall %v rss %v cpu %v + %v", name, r.WallSeconds, r.PeakRSSBytes, r.CPUUserSeconds, r.CPUSystemSeconds)
		}
		if r.PeakPSSBytes.Median <= 0 || r.PeakPSSBytes.Median > r.PeakRSSBytes.Median {
			t.Errorf("%s: peak PSS %v, peak RSS %v: want PSS in (0, RSS]", name, r.PeakPSSBytes, r.PeakRSSBytes)
		}
		if r.ParentPID == os.Getpid() || r.ParentPID == 0 || trialPIDs[r.ParentPID] {
			t.Errorf("%s: trial pid %d is not a fresh process", name, r.ParentPID)
		}
		trialPIDs[r.ParentPID] = true
		checkSpawnCPU(t, name, r, run.Host.UsableCPUs)
		switch r.Strategy {
		case "process-per-task":
			if r.ProcessesSpawned != 6 || r.PeakProcesses.Max < 2 {
				t.Errorf("%s: spawned %d, peak processes %v", name, r.ProcessesSpawned, r.PeakProcesses)
			}
		case "pool-apply-async":
			if len(r.CallbackPIDs) != 1 || r.CallbackPIDs[0] != r.ParentPID {
				t.Errorf("%s: callbacks in %v, trial pid %d", name, r.CallbackPIDs, r.ParentPID)
			}
			// One or both of the pool's two workers, processes other than
			// the trial.
			if len(r.WorkerPIDs) == 0 || len(r.WorkerPIDs) > 2 || slices.Contains(r.WorkerPIDs, r.ParentPID) || slices.Contains(r.WorkerPIDs, os.Getpid()) {
				t.Errorf("%s: tasks ran in %v, trial pid %d", name, r.WorkerPIDs, r.ParentPID)
			}
			fallthrough
		case "pool-apply", "pool-map":
			if r.ProcessesSpawned != 2 {
				t.Errorf("%s: spawned %d, want 2", name, r.ProcessesSpawned)
			}
		default:
			if r.ProcessesSpawned != 0 {
				t.Errorf("%s: spawned %d processes", name, r.ProcessesSpawned)
			}
		}
	}
	var buf bytes.Buffer
	if err := results.Encode(&buf, run); err != nil {
		t.Fatal(err)
	}
	back, err := results.Decode(&buf)
	if err != nil || len(back.Results) != 24 || back.Host.CPUs == 0 {
		t.Fatalf("round trip: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"unknown workload", func(c *Config) { c.Workloads = []string{"gpu"} }, `unknown workload "gpu"`},
		{"unknown strategy", func(c *Config) { c.Strategies = []string{"threads"} }, `unknown strategy "threads" (have serial`},
		{"zero tasks", func(c *Config) { c.Tasks = 0 }, "--tasks 0"},
		{"negative workers", func(c *Config) { c.Workers = -1 }, "--workers -1"},
		{"zero repeat", func(c *Config) { c.Repeat = 0 }, "--repeat 0"},
		{"bad size", func(c *Config) { c.TaskSizes = map[string]string{"cpu": "fast"} }, `cpu task size "fast"`},
		{"size for other workload", func(c *Config) { c.TaskSizes = map[string]string{"io": "5ms"} }, "--task-size given for io"},
		{"bad sweep size", func(c *Config) { c.WorkerSizes = []int{1, 0} }, "--workers 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := small("cpu")
			tt.edit(&cfg)
			_, err := Run(context.Background(), cfg, nil)
			if !IsConfigError(err) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a ConfigError mentioning %q", err, tt.want)
			}
		})
	}
}

func TestCancelReturnsPartialRun(t *testing.T) {
	cfg := small("io")
	cfg.TaskSizes = map[string]string{"io": "150ms"}
	cfg.Strategies = []string{"goroutines", "pool-apply"}
	cfg.Warmup, cfg.Repeat = 0, 3
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	run, err := Run(ctx, cfg, func(p Progress) {
		if p.Strategy == "pool-apply" && p.TasksDone > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	// A liveness bound, generous for a loaded machine: without the kill, the
	// remaining trials would take several seconds more.
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("cancel took effect after %v", el)
	}
	if run == nil || !run.Partial || len(run.Results) != 1 || run.Results[0].Strategy != "goroutines" {
		t.Fatalf("partial run: %+v", run)
	}
}

// TestMemoryDoesNotGrowWithTasks: ten times more tasks must not cost
// ten times the memory: per-task records are streamed into summaries and
// ApplyAsync keeps a bounded window of handles. (Both sizes are past the
// first garbage collections of every process, where RSS settles.)
func TestMemoryDoesNotGrowWithTasks(t *testing.T) {
	peak := func(tasks int) map[string]float64 {
		cfg := small("noop")
		cfg.Tasks, cfg.Repeat, cfg.Warmup = tasks, 1, 0
		cfg.Strategies = []string{"goroutine-pool", "pool-apply-async"}
		run, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, r := range run.Results {
			if r.Errors != 0 || r.TaskSeconds.Count != tasks {
				t.Fatalf("%s: %d errors, %d tasks", r.Strategy, r.Errors, r.TaskSeconds.Count)
			}
			out[r.Strategy] = r.PeakRSSBytes.Median
		}
		return out
	}
	few, many := peak(30_000), peak(300_000)
	for s, base := range few {
		// Allow the Go heap some room, but nothing that grows per task.
		if many[s] > 1.25*base+8<<20 {
			t.Errorf("%s: peak RSS %.1f MiB for 300k tasks, %.1f MiB for 30k", s, many[s]/(1<<20), base/(1<<20))
		}
		t.Logf("%s: peak RSS %.1f MiB for 300k tasks, %.1f MiB for 30k", s, many[s]/(1<<20), base/(1<<20))
	}
}

// TestSweepShape: in a sweep, strategies that ignore the pool size run
// once with their own concurrency, each pool strategy runs at every size,
// and what the ideal model reads (pool size, concurrency, bound, nominal
// task time) is stored on each result. The ideal itself is a pure function
// of these, tested in package stats; no measured time is asserted here.
func TestSweepShape(t *testing.T) {
	cfg := small("io")
	cfg.TaskSizes = map[string]string{"io": "20ms"}
	cfg.Tasks, cfg.Repeat, cfg.Warmup = 8, 1, 0
	cfg.WorkerSizes = []int{2, 4}
	cfg.Strategies = []string{"serial", "pool-apply", "pool-apply-async"}
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	type shape struct {
		strategy              string
		poolSize, concurrency int
	}
	var got []shape
	for _, r := range run.Results {
		got = append(got, shape{r.Strategy, r.PoolSize, r.Concurrency})
		if r.Bound != "latency" || r.TaskNominalSeconds != 0.02 || r.Baseline != "serial" {
			t.Errorf("%s: bound %q, nominal %v s, baseline %q", r.Strategy, r.Bound, r.TaskNominalSeconds, r.Baseline)
		}
		if r.IdealSeconds == nil || r.Efficiency == nil || r.SpeedupVsSerial == nil {
			t.Errorf("%s x%d: ideal, efficiency and speedup should all be known", r.Strategy, r.PoolSize)
		}
	}
	want := []shape{{"serial", 0, 1}, {"pool-apply", 2, 1}, {"pool-apply", 4, 1}, {"pool-apply-async", 2, 2}, {"pool-apply-async", 4, 4}}
	if !slices.Equal(got, want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	// pool-apply runs one task at a time: its ideal is the same at every size.
	if a, b := *run.Results[1].IdealSeconds, *run.Results[2].IdealSeconds; a != b {
		t.Errorf("pool-apply ideal %v at 2 workers, %v at 4", a, b)
	}
}

// checkSpawnCPU holds each spawn's CPU against its wall time: a process
// cannot use more CPU between its start and its handshake than its usable
// CPUs give in that time. Strategies that start poolbench workers, NATS
// pools' included, measure it for every start, and a solo start before
// each trial.
func checkSpawnCPU(t *testing.T, name string, r results.Result, cpus int) {
	t.Helper()
	if !startsWorkers(r.Strategy) && !strategies.IsNATS(r.Strategy) {
		return
	}
	if r.SpawnCPUSeconds <= 0 || r.SoloSpawnSeconds <= 0 {
		t.Errorf("%s: spawn CPU %v, solo start %v: want both measured", name, r.SpawnCPUSeconds, r.SoloSpawnSeconds)
	}
	for _, tr := range r.Trials {
		if len(tr.SpawnCPUSeconds) != len(tr.SpawnSeconds) || len(tr.SoloSpawnSeconds) != soloStarts {
			t.Errorf("%s: %d spawn CPU figures for %d spawns, %d solo starts", name, len(tr.SpawnCPUSeconds), len(tr.SpawnSeconds), len(tr.SoloSpawnSeconds))
			continue
		}
		for i, cpu := range tr.SpawnCPUSeconds {
			if wall := tr.SpawnSeconds[i]; cpu > wall*float64(cpus) {
				t.Errorf("%s: a spawn used %.4fs of CPU in %.4fs on %d CPUs", name, cpu, wall, cpus)
			}
		}
	}
}

// A NATS pool's workers get solo starts as the process pool's do: the
// spawn chart's black square is there for every strategy that starts
// workers.
func TestNATSPoolSoloSpawns(t *testing.T) {
	cfg := small("noop")
	cfg.Strategies, cfg.Repeat, cfg.Warmup = []string{"nats-pool-apply-async"}, 1, 0
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range run.Results {
		checkSpawnCPU(t, r.Strategy+"/"+r.Workload, r, run.Host.UsableCPUs)
	}
}
