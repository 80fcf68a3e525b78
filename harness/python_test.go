package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poolbench/poolbench/pyref"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

func needPython(t testing.TB) pyref.Interpreter {
	t.Helper()
	in, err := pyref.Find(context.Background(), "")
	if err != nil {
		t.Skipf("no python3: %v", err)
	}
	return in
}

func byStrategy(run *results.Run) map[string]results.Result {
	m := map[string]results.Result{}
	for _, r := range run.Results {
		m[r.Strategy] = r
	}
	return m
}

// TestPythonMatchesGo: CPython's strategies, each in its own trial, compute
// the same checksum as Go's serial, speed up against py-serial, carry their
// ratio to their Go counterpart, and run callbacks in the interpreter.
func TestPythonMatchesGo(t *testing.T) {
	in := needPython(t)
	cfg := small("cpu")
	cfg.TaskSizes = map[string]string{"cpu": "3k"}
	cfg.Tasks, cfg.Repeat, cfg.Warmup = 4, 1, 0
	cfg.Strategies = []string{"serial", "pool-apply-async", "py"}
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Config.Python != in.Path || run.Host.PythonVersion != in.Version || run.Config.PyStartMethod != in.DefaultStartMethod {
		t.Errorf("config %+v, host python %q", run.Config, run.Host.PythonVersion)
	}
	rs := byStrategy(run)
	serial := rs["serial"]
	for _, name := range []string{"py-serial", "py-threads", "py-process-per-task", "py-pool-apply", "py-pool-apply-async", "py-pool-map"} {
		r, ok := rs[name]
		if !ok {
			t.Errorf("%s: no result", name)
			continue
		}
		if r.Checksum != serial.Checksum || r.ChecksumOK == nil || !*r.ChecksumOK {
			t.Errorf("%s: checksum %s, Go serial's %s", name, r.Checksum, serial.Checksum)
		}
		if r.Baseline != "py-serial" || r.SpeedupVsSerial == nil {
			t.Errorf("%s: speedup %v against %q", name, r.SpeedupVsSerial, r.Baseline)
		}
		if r.ParentPID == 0 || r.ParentPID == os.Getpid() || r.WallSeconds.Median <= 0 || r.CPUUserSeconds.Median <= 0 {
			t.Errorf("%s: owner %d, wall %v, cpu %v", name, r.ParentPID, r.WallSeconds, r.CPUUserSeconds)
		}
		// The tasks' ends, clocked by the interpreter, fall within the
		// wall time, which leaves out its start as they do (the last
		// point is the last task's end, exactly); Pool.map's all come
		// back at its return, and have none.
		f := r.TaskFinishSeconds
		switch {
		case name == "py-pool-map":
			if f != nil {
				t.Errorf("%s: finish CDF %v, want none", name, f)
			}
		case len(f) != 21 || !slices.IsSorted(f) || f[0] <= 0 || f[20] > r.WallSeconds.Median:
			t.Errorf("%s: finish CDF %v, wall %g s: want 21 rising quantiles within the wall time", name, f, r.WallSeconds.Median)
		}
	}
	if r := rs["py-serial"]; r.GoCounterpart != "serial" || r.WallRatioVsGo == nil ||
		*r.WallRatioVsGo != r.WallSeconds.Median/serial.WallSeconds.Median {
		t.Errorf("py-serial against serial: %q, ratio %v", r.GoCounterpart, r.WallRatioVsGo)
	}
	if r := rs["py-threads"]; r.WallRatioVsGo != nil {
		t.Errorf("py-threads has a ratio to goroutines, which did not run: %v", *r.WallRatioVsGo)
	}
	async := rs["py-pool-apply-async"]
	if len(async.CallbackPIDs) != 1 || async.CallbackPIDs[0] != async.ParentPID ||
		len(async.WorkerPIDs) == 0 || slices.Contains(async.WorkerPIDs, async.ParentPID) {
		t.Errorf("py-pool-apply-async: callbacks in %v, tasks in %v, pool owner %d", async.CallbackPIDs, async.WorkerPIDs, async.ParentPID)
	}
	if async.ProcessesSpawned != 2 || rs["py-process-per-task"].ProcessesSpawned != 4 || rs["py-serial"].ProcessesSpawned != 0 {
		t.Errorf("spawned: pool %d, process per task %d, serial %d", async.ProcessesSpawned,
			rs["py-process-per-task"].ProcessesSpawned, rs["py-serial"].ProcessesSpawned)
	}
}

// TestPythonCrashIsHung: a CPython pool worker that dies mid-task hangs its
// pool; the trial ends it within the task timeout's bound and records the
// task hung, while Go's pool beside it fails that task and goes on. Nothing
// of the interpreter's is left.
func TestPythonCrashIsHung(t *testing.T) {
	needPython(t)
	cfg := small("io")
	cfg.TaskSizes = map[string]string{"io": "5ms"}
	cfg.Tasks, cfg.Repeat, cfg.Warmup = 10, 1, 0
	cfg.Strategies = []string{"pool-apply-async", "py-pool-apply-async"}
	faults, _ := workloads.ParseFaults("crash=0.2", 3)
	cfg.Faults, cfg.TaskTimeout = faults, time.Second
	crashed := 0
	for i := range cfg.Tasks {
		if faults.For(i) == workloads.Crash {
			crashed++
		}
	}
	if crashed == 0 {
		t.Fatal("seed 3 crashes no task; pick another")
	}
	start := time.Now()
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d crashed tasks; run took %v", crashed, time.Since(start))
	rs := byStrategy(run)
	// The Go pool fails exactly the crashed tasks and goes on. It runs a
	// task at most once, so a result that finished but had not yet left a
	// worker when a later task crashed it is failed as lost, never re-run:
	// those may come on top, and nothing else.
	if g := rs["pool-apply-async"]; g.ErrorKinds["crash"] != crashed || g.Errors != crashed+g.ErrorKinds["lost"] {
		t.Errorf("Go pool: errors %v, want %d crashes, lost results at most, and the rest done", g.ErrorKinds, crashed)
	}
	py := rs["py-pool-apply-async"]
	if py.ErrorKinds["hung"] < crashed || !strings.Contains(strings.Join(py.ErrorSamples, "\n"), "gh-66587") {
		t.Errorf("CPython pool: errors %v, samples %q", py.ErrorKinds, py.ErrorSamples)
	}
	// The hung tasks ended when they were given up on, which ends the
	// wall time: not after it.
	if f := py.TaskFinishSeconds; len(f) != 21 || f[20] > py.WallSeconds.Median {
		t.Errorf("CPython pool: finish CDF %v, wall %g s: the last end past the wall time", f, py.WallSeconds.Median)
	}
	if left := groupMembers(py.ParentPID); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// groupMembers lists the processes, zombies included, in process group pgid.
func groupMembers(pgid int) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) {
			out = append(out, s)
		}
	}
	return out
}

// TestPythonMissing: py-* strategies named without a usable interpreter are
// bad input; those that came with a group are skipped, with one note.
func TestPythonMissing(t *testing.T) {
	old := filepath.Join(t.TempDir(), "python3")
	os.WriteFile(old, []byte("#!/bin/sh\nprintf '/usr/bin/python3.7\\n3.7.17\\nfork\\nfork,spawn\\n'\n"), 0o755)
	none := filepath.Join(t.TempDir(), "python3")
	tests := []struct {
		name       string
		strategies []string
		python     string
		want       string
	}{
		{"named, none", []string{"serial", "py-serial"}, none, "py-serial: no python3 interpreter found"},
		{"named, too old", []string{"py-pool-map"}, old, "py-pool-map: python3 is too old: " + old + " is Python 3.7.17, need 3.8 or newer"},
		{"group py, none", []string{"py"}, none, "no python3 interpreter found"},
		{"group all, --python given", []string{"all"}, old, "too old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := small("noop")
			cfg.Strategies, cfg.Python = tt.strategies, tt.python
			err := Validate(context.Background(), cfg)
			if !IsConfigError(err) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want a one-line ConfigError saying %q", err, tt.want)
			}
		})
	}
	t.Run("group all, no python3 on PATH", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		cfg := small("noop")
		cfg.Strategies, cfg.Tasks, cfg.Repeat, cfg.Warmup = []string{"serial", "all"}, 2, 1, 0
		run, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(nonPython()); len(run.Results) != want || run.Config.Python != "" {
			t.Errorf("%d results, python %q", len(run.Results), run.Config.Python)
		}
		notes := strings.Join(run.Notes, "\n")
		if strings.Count(notes, "skipped") != 1 || !strings.Contains(notes, "py-serial, py-threads") {
			t.Errorf("notes: %q", run.Notes)
		}
	})
	t.Run("bad start method", func(t *testing.T) {
		cfg := small("noop")
		cfg.PyStartMethod = "vfork"
		if err := Validate(context.Background(), cfg); !IsConfigError(err) || !strings.Contains(err.Error(), `--py-start-method "vfork"`) {
			t.Fatalf("err = %v", err)
		}
	})
}

// nonPython lists the strategies that need no python3.
func nonPython() []string {
	var names []string
	for _, n := range strategies.Names() {
		if !strategies.IsPython(n) {
			names = append(names, n)
		}
	}
	return names
}
