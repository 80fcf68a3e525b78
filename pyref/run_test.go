package pyref

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

func job(strategy, workload string, size uint64, tasks int) Job {
	return Job{Strategy: strategy, Workload: workload, Size: size, Tasks: tasks, Workers: 2,
		Stall: time.Minute, Reap: true, Stdout: os.Stderr, Stderr: os.Stderr}
}

// run runs j and checks that nothing of the interpreter's is left.
func run(t *testing.T, ctx context.Context, j Job) (Report, *sink, error) {
	t.Helper()
	in := needPython(t)
	s := newSink()
	rep, err := Run(ctx, in.Path, j, s)
	if rep.PID == 0 || rep.PID == os.Getpid() {
		t.Errorf("interpreter pid %d", rep.PID)
	} else if left := groupMembers(rep.PID); len(left) > 0 {
		t.Errorf("left behind in the interpreter's process group: %v", left)
	}
	return rep, s, err
}

// TestResultsEqualGo: every strategy, under every start method that
// changes how its children start, computes the same SHA-256 chain as Go's
// cpu workload, task by task.
func TestResultsEqualGo(t *testing.T) {
	cpu, err := workloads.LookupFunc(workloads.CPUName)
	if err != nil {
		t.Fatal(err)
	}
	const size, tasks = 3000, 5
	type tc struct{ strategy, method string }
	var cases []tc
	for _, s := range Strategies {
		cases = append(cases, tc{s, "fork"})
	}
	for _, m := range []string{"spawn", "forkserver"} {
		cases = append(cases, tc{"process-per-task", m}, tc{"pool-apply-async", m})
	}
	for _, c := range cases {
		t.Run(c.strategy+"/"+c.method, func(t *testing.T) {
			j := job(c.strategy, "cpu", size, tasks)
			j.StartMethod = c.method
			rep, s, err := run(t, context.Background(), j)
			if err != nil {
				t.Fatal(err)
			}
			if rep.StartMethod != c.method || rep.Hung || !rep.End.After(rep.Begin) {
				t.Errorf("report %+v", rep)
			}
			for i := range tasks {
				want, _ := cpu(workloads.Args(size, uint64(i)))
				if !bytes.Equal(s.values[i], want) {
					t.Errorf("task %d: python %x, go %x (error %v)", i, s.values[i], want, s.errs[i])
				}
			}
			spawned := map[string]int{"process-per-task": tasks, "pool-apply": 2, "pool-apply-async": 2, "pool-map": 2}[c.strategy]
			if len(s.spawns) != spawned {
				t.Errorf("%d spawns recorded, want %d", len(s.spawns), spawned)
			}
			for pid, d := range s.spawns {
				if pid == rep.PID || d <= 0 {
					t.Errorf("spawn of pid %d took %v (owner %d)", pid, d, rep.PID)
				}
			}
		})
	}
}

// TestCallbacksRunInTheOwner: apply_async's callbacks run in the pool's
// owner, the interpreter, never in a worker.
func TestCallbacksRunInTheOwner(t *testing.T) {
	rep, s, err := run(t, context.Background(), job("pool-apply-async", "noop", 0, 50))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.callbacks) != 1 || !s.callbacks[rep.PID] {
		t.Fatalf("callbacks ran in %v; the owner is %d", s.callbacks, rep.PID)
	}
	if len(s.workers) == 0 {
		t.Fatal("no worker said it ran a task")
	}
	for pid := range s.workers {
		if s.callbacks[pid] || pid == rep.PID {
			t.Errorf("worker %d ran a callback, or is the owner %d", pid, rep.PID)
		}
		if _, started := s.spawns[pid]; !started {
			t.Errorf("worker %d ran tasks but no start of it was recorded", pid)
		}
	}
	if len(s.values) != 50 {
		t.Errorf("%d results", len(s.values))
	}
}

// TestCrashedPoolWorkerIsHung: a worker that dies mid-task leaves CPython's
// Pool waiting forever (gh-66587); Run ends it after Stall, reports the
// task hung, and leaves no process behind.
func TestCrashedPoolWorkerIsHung(t *testing.T) {
	for _, strategy := range []string{"pool-apply", "pool-apply-async", "pool-map"} {
		t.Run(strategy, func(t *testing.T) {
			j := job(strategy, "io", uint64(5*time.Millisecond), 8)
			j.Faults = map[int]workloads.Fault{3: workloads.Crash}
			j.Stall = time.Second
			start := time.Now()
			rep, s, err := run(t, context.Background(), j)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Hung || s.errs[3] == nil || s.errs[3].Kind != "hung" || !strings.Contains(s.errs[3].Message, "gh-66587") {
				t.Fatalf("hung %v, task 3: %+v", rep.Hung, s.errs[3])
			}
			if len(s.values)+len(s.errs) != 8 {
				t.Errorf("%d results and %d errors for 8 tasks", len(s.values), len(s.errs))
			}
			if strategy == "pool-apply-async" && len(s.values) != 7 {
				t.Errorf("%d other tasks succeeded, want 7: %v", len(s.values), s.errs)
			}
			// A liveness bound for a loaded machine: the stall is 1 s.
			if took > 30*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}

// TestFaults: what each injected fault becomes where CPython itself can
// see it.
func TestFaults(t *testing.T) {
	tests := []struct {
		strategy string
		fault    workloads.Fault
		kind     string
		says     string
	}{
		{"serial", workloads.Crash, "crash", "InjectedCrash"},
		{"threads", workloads.Crash, "crash", "InjectedCrash"},
		{"process-per-task", workloads.Crash, "crash", "exited with status 1"},
		{"serial", workloads.Error, "error", "InjectedError"},
		{"threads", workloads.Error, "error", "InjectedError"},
		{"process-per-task", workloads.Error, "error", "InjectedError"},
		{"pool-apply", workloads.Error, "error", "InjectedError"},
		{"pool-apply-async", workloads.Error, "error", "InjectedError"},
		{"serial", workloads.Hang, "timeout", "abandoned"},
		{"threads", workloads.Hang, "timeout", "abandoned"},
		{"process-per-task", workloads.Hang, "timeout", "killed after its timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.strategy+"/"+tt.fault.String(), func(t *testing.T) {
			j := job(tt.strategy, "noop", 0, 4)
			j.Faults = map[int]workloads.Fault{1: tt.fault}
			j.TaskTimeout = 300 * time.Millisecond
			j.Stall = 30 * time.Second
			rep, s, err := run(t, context.Background(), j)
			if err != nil {
				t.Fatal(err)
			}
			e := s.errs[1]
			if rep.Hung || e == nil || e.Kind != tt.kind || !strings.Contains(e.Message, tt.says) {
				t.Fatalf("task 1: %+v, want kind %s saying %q", e, tt.kind, tt.says)
			}
			if len(s.values) != 3 {
				t.Errorf("%d other tasks succeeded, want 3: %v", len(s.values), s.errs)
			}
		})
	}
	t.Run("pool-map/error", func(t *testing.T) {
		j := job("pool-map", "noop", 0, 4)
		j.Faults = map[int]workloads.Fault{1: workloads.Error}
		_, s, err := run(t, context.Background(), j)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			if e := s.errs[i]; e == nil || e.Kind != "lost" || !strings.Contains(e.Message, "task 1: injected task error") {
				t.Errorf("task %d: %+v; Pool.map loses every result when one task raises", i, e)
			}
		}
	})
}

// TestLatencyCoversTheTask: a task's recorded latency includes its sleep.
func TestLatencyCoversTheTask(t *testing.T) {
	for _, strategy := range Strategies {
		t.Run(strategy, func(t *testing.T) {
			const sleep = 20 * time.Millisecond
			_, s, err := run(t, context.Background(), job(strategy, "io", uint64(sleep), 3))
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if l, ok := s.latencies[i]; !ok || l < sleep {
					t.Errorf("task %d: latency %v, below its %v sleep", i, l, sleep)
				}
			}
		})
	}
}

// TestCancel: ending ctx ends the interpreter and everything it started.
func TestCancel(t *testing.T) {
	in := needPython(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newSink()
	s.onSpawn = cancel // a worker is up: the tasks are under way
	rep, err := Run(ctx, in.Path, job("pool-apply-async", "io", uint64(time.Hour), 4), s)
	if err != context.Canceled || len(s.spawns) == 0 {
		t.Fatalf("err = %v after %d spawns", err, len(s.spawns))
	}
	if left := groupMembers(rep.PID); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestJobErrors(t *testing.T) {
	for _, j := range []Job{
		{Strategy: "fibers", Workload: "cpu", Tasks: 1, Workers: 1},
		{Strategy: "serial", Workload: "cpu", Tasks: 0, Workers: 1},
	} {
		if _, err := Run(context.Background(), "python3", j, newSink()); err == nil {
			t.Errorf("Run(%+v) accepted", j)
		}
	}
}

// TestArticle: the article's example prints one line a task from the
// interpreter's callback, each naming the interpreter's pid and a value of
// i + 100.
func TestArticle(t *testing.T) {
	in := needPython(t)
	var out bytes.Buffer
	j := job(Article, "io", uint64(10*time.Millisecond), 20)
	j.Workers, j.Stdout = 4, &out
	s := newSink()
	rep, err := Run(context.Background(), in.Path, j, s)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 20 || len(s.values) != 20 {
		t.Fatalf("%d lines, %d results:\n%s", len(lines), len(s.values), out.String())
	}
	for i := range 20 {
		if got, want := string(s.values[i]), strconv.Itoa(i+100); got != want {
			t.Errorf("task %d: %q, want %q", i, got, want)
		}
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "log: pid "+strconv.Itoa(rep.PID)+", parent pid "+strconv.Itoa(os.Getpid())) {
			t.Errorf("line %q: want the interpreter's pid %d and ours as its parent", l, rep.PID)
		}
	}
}

// TestChildrenDieWithTheOwner: when the process running the interpreter is
// killed outright (SIGKILL runs none of its code), the interpreter and its
// children die too, mid-task, rather than sleep on as orphans.
func TestChildrenDieWithTheOwner(t *testing.T) {
	needPython(t)
	for _, strategy := range []string{"pool-apply-async", "process-per-task"} {
		t.Run(strategy, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), envOwner+"="+strategy)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var kids []int
			sc := bufio.NewScanner(out)
			for len(kids) < 3 && sc.Scan() {
				pid, err := strconv.Atoi(sc.Text())
				if err != nil {
					t.Fatal(err)
				}
				kids = append(kids, pid)
			}
			cmd.Process.Kill()
			cmd.Wait()
			if len(kids) < 3 {
				t.Fatalf("the owner reported %d children", len(kids))
			}
			// A liveness bound for a loaded machine; the kernel kills them at once.
			deadline := time.Now().Add(10 * time.Second)
			for _, pid := range kids {
				for alive(pid) && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
			}
			for _, pid := range kids {
				if alive(pid) {
					t.Errorf("child %d outlived its owner", pid)
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		})
	}
}

// alive: pid exists and is not a zombie.
func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
