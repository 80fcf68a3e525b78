package main

import (
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
		{"unknown workload", []string{"run", "--workload", "gpu"}, `unknown workload (have cpu, io, noop, all)`},
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
		{"bad format", []string{"run", "--workload", "cpu", "--format", "xml"}, "xml"},
		{"html on stdout", []string{"run", "--workload", "cpu", "--format", "html"}, "always written to the output folder"},
		{"unwritable out", []string{"run", "--workload", "cpu", "--out", "/proc/poolbench"}, "--out /proc/poolbench"},
		{"not a number", []string{"run", "--workload", "cpu", "--tasks", "many"}, `invalid argument "many" for "--tasks"`},
		{"unknown flag", []string{"run", "--workload", "cpu", "--threads", "4"}, "unknown flag: --threads"},
		{"stray argument", []string{"list", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q: want one line containing %q", stderr, tt.want)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("stderr has a stack trace: %s", stderr)
			}
		})
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
