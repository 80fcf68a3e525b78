package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// TestBadInput runs every kind of bad input through the real command and
// expects one clear line on stderr and exit status 2, never a panic.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no workload", []string{"run"}, "--workload is required"},
		{"unknown workload", []string{"run", "--workload", "gpu"}, `unknown workload (have alloc, cpu, exec, io, noop, payload, skewed, all)`},
		{"unknown strategy", []string{"run", "--workload", "cpu", "--strategies", "threads"}, `unknown strategy "threads" (have serial`},
		{"zero tasks", []string{"run", "--workload", "cpu", "--tasks", "0"}, "--tasks 0: want at least 1"},
		{"negative workers", []string{"run", "--workload", "cpu", "--workers", "-2"}, "--workers -2"},
		{"zero repeat", []string{"run", "--workload", "cpu", "--repeat", "0"}, "--repeat 0"},
		{"negative warmup", []string{"run", "--workload", "cpu", "--warmup", "-1"}, "--warmup -1"},
		{"bad cpu size", []string{"run", "--workload", "cpu", "--task-size", "fast"}, `cpu task size "fast"`},
		{"bad io size", []string{"run", "--workload", "io", "--task-size", "100"}, `io task size "100"`},
		{"ambiguous size", []string{"run", "--workload", "all", "--task-size", "10ms"}, "give one per workload"},
		{"size for absent workload", []string{"run", "--workload", "cpu", "--task-size", "io=5ms"}, "--task-size given for io"},
		{"malformed sizes", []string{"run", "--workload", "all", "--task-size", "cpu=,io"}, "want workload=size pairs"},
		{"bad interval", []string{"run", "--workload", "cpu", "--sample-interval", "0s"}, "--sample-interval 0s"},
		{"bad format", []string{"run", "--workload", "cpu", "--format", "xml"}, `--format "xml": want one of table, json, csv, markdown, benchstat`},
		{"html on stdout", []string{"run", "--workload", "cpu", "--format", "html"}, "always written to the output folder"},
		{"unwritable out", []string{"run", "--workload", "cpu", "--out", "/proc/poolbench"}, "--out /proc/poolbench"},
		{"not a number", []string{"run", "--workload", "cpu", "--tasks", "many"}, `invalid argument "many" for "--tasks" flag: want a whole number`},
		{"number out of range", []string{"run", "--workload", "cpu", "--tasks", "99999999999999999999"}, `for "--tasks" flag: want a whole number in range`},
		{"not a ratio", []string{"compare", "a.json", "b.json", "--fail-on-regression", "lots"}, `invalid argument "lots" for "--fail-on-regression" flag: want a number`},
		{"unknown command", []string{"bogus"}, `unknown command "bogus" for "poolbench"`},
		{"unknown command near one", []string{"rn"}, `unknown command "rn" for "poolbench"; did you mean run?`},
		{"not a bool", []string{"run", "--workload", "cpu", "--force=maybe"}, `invalid argument "maybe" for "--force" flag: want true or false`},
		{"strconv in the value", []string{"run", "--workload", "cpu", "--tasks", "x: strconv.y"}, `invalid argument "x: strconv.y" for "--tasks" flag: want a whole number`},
		{"size for noop", []string{"run", "--workload", "noop", "--task-size", "5"}, `--task-size "5": noop returns at once: it has no size`},
		{"python without py-*", []string{"run", "--workload", "noop", "--strategies", "serial", "--python", "python3"}, "--python applies to the py-* strategies"},
		{"start method without py-*", []string{"run", "--workload", "noop", "--strategies", "serial", "--py-start-method", "spawn"}, "--py-start-method applies to the py-* strategies"},
		{"server without nats-*", []string{"run", "--workload", "noop", "--strategies", "serial", "--nats", "nats://127.0.0.1:4222"}, "--nats applies to the nats-* strategies"},
		{"listen without nats-*", []string{"run", "--workload", "noop", "--strategies", "serial", "--listen", "127.0.0.1:0"}, "--listen applies to the nats-* strategies"},
		{"unknown flag", []string{"run", "--workload", "cpu", "--threads", "4"}, "unknown flag: --threads"},
		{"stray argument", []string{"list", "extra"}, "unknown command"},
		{"bad inject", []string{"run", "--workload", "noop", "--inject", "crash=2"}, "probabilities in [0, 1]"},
		{"pool beyond the machine", []string{"run", "--workload", "noop", "--workers", "100000", "--tasks", "4"}, "--workers 100000: a pool of pool-apply processes is more than the"},
		{"processes beyond the machine", []string{"run", "--workload", "noop", "--strategies", "process-per-task", "--max-processes", "1000000"}, "--max-processes 1000000 is more than the"},
		{"negative chunk size", []string{"run", "--workload", "noop", "--chunk-size", "-2"}, "--chunk-size -2: want at least 1"},
		{"chunk size without a map", []string{"run", "--workload", "noop", "--strategies", "serial", "--chunk-size", "4"}, "--chunk-size applies to the *-pool-map strategies"},
		{"process cap without process-per-task", []string{"run", "--workload", "noop", "--strategies", "serial", "--max-processes", "4"}, "--max-processes applies to process-per-task"},
		{"negative process cap", []string{"run", "--workload", "noop", "--max-processes", "-1"}, "--max-processes -1: want at least 1"},
		{"sweep beyond the machine", []string{"sweep", "--workload", "noop", "--workers", "1,100000"}, "--allow-oversubscribe to try anyway"},
		{"strategy twice", []string{"run", "--workload", "noop", "--strategies", "serial,goroutines,serial"}, "--strategies lists serial twice"},
		{"workload twice", []string{"run", "--workload", "cpu,noop,cpu"}, "--workload lists cpu twice"},
		{"pool size twice", []string{"sweep", "--workload", "noop", "--workers", "2,4,2"}, "--workers lists 2 twice"},
		{"empty strategy", []string{"run", "--workload", "noop", "--strategies", ","}, "--strategies has an empty item"},
		{"fault given twice", []string{"run", "--workload", "noop", "--inject", "crash=0.5,crash=0"}, "crash given twice"},
		{"fault NaN", []string{"run", "--workload", "noop", "--inject", "crash=NaN"}, "probabilities in [0, 1]"},
		{"sweep without a pool", []string{"sweep", "--workload", "noop", "--workers", "2,4", "--strategies", "serial,goroutines"}, "none of serial, goroutines keeps a pool"},
		{"sweep of a pool the workload skips", []string{"sweep", "--workload", "exec", "--cmd", "true", "--workers", "2,4", "--strategies", "serial,pool-map"}, "none of serial, pool-map keeps a pool on exec"},
		{"unknown fault", []string{"run", "--workload", "noop", "--inject", "boom=0.1"}, `unknown fault "boom"`},
		{"hang without timeout", []string{"run", "--workload", "noop", "--inject", "hang=0.1"}, "--inject hang needs --task-timeout"},
		{"negative timeout", []string{"run", "--workload", "noop", "--task-timeout", "-1s"}, "--task-timeout -1s"},
		{"bad seed", []string{"run", "--workload", "noop", "--seed", "x"}, `invalid argument "x" for "--seed"`},
		{"unknown preset", []string{"run", "--preset", "paper"}, `--preset "paper": unknown preset`},
		{"preset with no such python", []string{"run", "--preset", "article", "--python", "/nonexistent/python3"}, "py-pool-apply-async: no python3 interpreter found: /nonexistent/python3"},
		{"payload flag without payload", []string{"run", "--workload", "cpu", "--payload", "1MiB"}, "--payload is for the payload workload"},
		{"bad payload", []string{"run", "--workload", "payload", "--payload", "in=lots"}, `--payload "in=lots"`},
		{"bad skew", []string{"run", "--workload", "skewed", "--skew", "-1"}, "--skew -1: want a sigma"},
		{"exec without command", []string{"run", "--workload", "exec"}, "--workload exec needs a command"},
		{"exec cmd and argv", []string{"run", "--workload", "exec", "--cmd", "true", "--cmd-argv", "true"}, "give one or the other"},
		{"exec under a pool", []string{"run", "--workload", "exec", "--cmd", "true", "--strategies", "pool-map"}, "runs under serial, goroutines, goroutine-pool only"},
		{"sweep without workload", []string{"sweep"}, "--workload is required"},
		{"sweep bad sizes", []string{"sweep", "--workload", "io", "--workers", "1,x,4"}, "want positive pool sizes"},
		{"sweep zero size", []string{"sweep", "--workload", "io", "--workers", "0,2"}, "want positive pool sizes"},
		{"sweep unknown strategy", []string{"sweep", "--workload", "io", "--strategies", "threads"}, `unknown strategy "threads"`},
		{"sweep zero tasks", []string{"sweep", "--workload", "io", "--tasks", "0"}, "--tasks 0"},
		{"sweep bad format", []string{"sweep", "--workload", "io", "--format", "xml"}, "xml"},
		{"sweep unwritable out", []string{"sweep", "--workload", "io", "--out", "/proc/poolbench"}, "--out /proc/poolbench"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectUsage(t, tt.want, tt.args...)
		})
	}
}

func TestSweepKeysResultsOnPoolSize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, "sweep", "--workload", "noop", "--workers", "1,3", "--tasks", "6",
		"--repeat", "1", "--warmup", "0", "--strategies", "serial,pool-apply-async", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range run.Results {
		got = append(got, fmt.Sprintf("%s@%d", r.Strategy, r.PoolSize))
	}
	// serial ignores the pool size, so it runs once, as the baseline.
	if want := "serial@0 pool-apply-async@1 pool-apply-async@3"; strings.Join(got, " ") != want {
		t.Fatalf("results %v, want %s", got, want)
	}
	if run.Command != "sweep" || len(run.Config.WorkerSizes) != 2 {
		t.Fatalf("command %q, sizes %v", run.Command, run.Config.WorkerSizes)
	}
}

func TestInjectedFaultsAreCounted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, "run", "--workload", "noop", "--tasks", "30", "--workers", "2", "--repeat", "1", "--warmup", "0",
		"--strategies", "goroutines,pool-apply-async", "--inject", "crash=0.1,error=0.1,hang=0.05", "--task-timeout", "300ms",
		"--seed", "3", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Results) != 2 || run.Config.Inject == "" || run.Config.Seed != 3 {
		t.Fatalf("results %d, config %+v", len(run.Results), run.Config)
	}
	a, b := run.Results[0], run.Results[1]
	// The same seed fails the same tasks the same ways, but a pool may also
	// lose the results of tasks that finished in a worker a later task
	// crashed ("lost": they ran, and run at most once), error results
	// among them.
	ak, bk := a.ErrorKinds, b.ErrorKinds
	sameFaults := ak["crash"] == bk["crash"] && ak["timeout"] == bk["timeout"] &&
		bk["error"] <= ak["error"] && bk["error"]+bk["lost"] >= ak["error"] && ak["lost"] == 0
	if a.Errors == 0 || !sameFaults {
		t.Fatalf("the same seed must fail the same tasks: %v vs %v", a.ErrorKinds, b.ErrorKinds)
	}
}

func TestList(t *testing.T) {
	code, out, _ := runCLI(t, "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"serial", "goroutines-1cpu", "pool-apply-async", "process-per-task", "cpu", "io", "noop"} {
		if !strings.Contains(out, " "+name+" ") {
			t.Errorf("list does not mention %s:\n%s", name, out)
		}
	}
}

// list into a reader that goes away (| head) ends as a command that only
// prints does: quietly, with no "broken pipe" message. The reader here
// takes the table, then goes while python3 is asked about itself.
func TestListIntoAClosedPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := poolbench("list")
	cmd.Stdout = w
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := r.Read(make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	cmd.Wait()
	if stderr.Len() > 0 {
		t.Errorf("list into a closed pipe said: %s", stderr.String())
	}
}

func TestRunWritesResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, stderr := runCLI(t, "run", "--workload", "noop", "--tasks", "5", "--workers", "2",
		"--repeat", "1", "--warmup", "0", "--strategies", "serial,goroutines,pool-apply-async", "--out", dir, "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(out, "strategy,") {
		t.Errorf("--format csv printed %q", out)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Results) != 3 || run.Partial {
		t.Fatalf("%d results, partial %v", len(run.Results), run.Partial)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Fatal(err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

// A payload run measures the raw pipe with a re-executed poolbench as its
// far end, and reports each strategy's ratio to it.
func TestPayloadRunReportsThePipe(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "run", "--workload", "payload", "--payload", "in=64KiB,out=1KiB",
		"--strategies", "serial,pool-apply-async", "--workers", "2", "--tasks", "8", "--repeat", "1", "--warmup", "0",
		"--out", dir)
	if code != 0 {
		t.Fatalf("exit status %d; stderr: %s", code, stderr)
	}
	if !strings.Contains(stdout, "against the raw pipe") || !strings.Contains(stdout, "raw pipe") {
		t.Errorf("no pipe table in:\n%s", stdout)
	}
}
