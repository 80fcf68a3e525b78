package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/pyref"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/strategies"
)

// TestPythonBadInput: a py-* strategy with no usable interpreter, or a bad
// start method, is bad input: exit 2, one line.
func TestPythonBadInput(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "python3.7")
	os.WriteFile(old, []byte("#!/bin/sh\nprintf '/usr/bin/python3.7\\n3.7.17\\nfork\\nfork,spawn\\n'\n"), 0o755)
	none := filepath.Join(dir, "nothing")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"named, none", []string{"run", "--workload", "cpu", "--strategies", "serial,py-serial", "--python", none}, "py-serial: no python3 interpreter found: " + none},
		{"named, too old", []string{"run", "--workload", "cpu", "--strategies", "py-pool-apply-async", "--python", old}, "is Python 3.7.17, need 3.8 or newer"},
		{"group, none", []string{"run", "--workload", "io", "--strategies", "py", "--python", none}, "no python3 interpreter found"},
		{"bad start method", []string{"run", "--workload", "io", "--strategies", "py-serial", "--py-start-method", "vfork"}, `--py-start-method "vfork"`},
		{"sweep, none", []string{"sweep", "--workload", "io", "--strategies", "py-pool-map", "--python", none}, "py-pool-map: no python3"},
	} {
		t.Run(tt.name, func(t *testing.T) { expectUsage(t, tt.want, tt.args...) })
	}
}

// TestRunWithoutPython: with no python3 on PATH, a run of every strategy
// runs the Go ones and says once that the py-* were skipped.
func TestRunWithoutPython(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := filepath.Join(t.TempDir(), "out")
	code, out, stderr := runCLI(t, "run", "--workload", "noop", "--strategies", "all", "--tasks", "3", "--workers", "2",
		"--repeat", "1", "--warmup", "0", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(out+stderr, "skipped"); n != 1 {
		t.Errorf("%d mentions of skipped strategies:\n%s\n%s", n, out, stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	goes := 0
	for _, n := range strategies.Names() {
		if !strategies.IsPython(n) {
			goes++
		}
	}
	if len(run.Results) != goes || len(run.Notes) == 0 || !strings.Contains(run.Notes[0], "py-serial, py-threads, py-process-per-task") {
		t.Errorf("%d results, notes %q", len(run.Results), run.Notes)
	}
	code, out, _ = runCLI(t, "list")
	if code != 0 || !strings.Contains(out, "python    none: py-* strategies unavailable: no python3 interpreter found") {
		t.Errorf("list without python3 (exit %d):\n%s", code, out)
	}
}

func TestListShowsPython(t *testing.T) {
	in, err := pyref.Find(context.Background(), "")
	if err != nil {
		t.Skipf("no python3: %v", err)
	}
	code, out, _ := runCLI(t, "list")
	if code != 0 || !strings.Contains(out, "python    "+in.Path+", Python "+in.Version) || !strings.Contains(out, " py-pool-apply-async ") {
		t.Errorf("list (exit %d):\n%s", code, out)
	}
}

// TestRunRecordsStartMethod: the start method asked for is the one used,
// and results.json says so.
func TestRunRecordsStartMethod(t *testing.T) {
	if _, err := pyref.Find(context.Background(), ""); err != nil {
		t.Skipf("no python3: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, "run", "--workload", "cpu", "--task-size", "2k", "--strategies", "serial,py-pool-apply-async",
		"--tasks", "3", "--workers", "2", "--repeat", "1", "--warmup", "0", "--py-start-method", "spawn", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if run.Config.PyStartMethod != "spawn" || run.Host.PythonVersion == "" || len(run.Results) != 2 {
		t.Errorf("config %+v, python %q", run.Config, run.Host.PythonVersion)
	}
	if r := run.Results[1]; r.ChecksumOK == nil || !*r.ChecksumOK || r.ProcessesSpawned != 2 {
		t.Errorf("py-pool-apply-async: %+v", r)
	}
}

// TestPresetArticleRunsCPython: the article preset runs the example in
// CPython too, after Go's, and measures CPython's pool beside Go's.
func TestPresetArticleRunsCPython(t *testing.T) {
	if _, err := pyref.Find(context.Background(), ""); err != nil {
		t.Skipf("no python3: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, "run", "--preset", "article", "--tasks", "20", "--task-size", "5ms",
		"--repeat", "1", "--warmup", "0", "--format", "json", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	goAt, pyAt := strings.Index(stderr, "this poolbench process"), strings.Index(stderr, "The same example in CPython")
	if goAt < 0 || pyAt < goAt || strings.Count(stderr[pyAt:], "log: pid ") != 100 ||
		!strings.Contains(stderr[pyAt:], "100 results in ") || !strings.Contains(stderr[pyAt:], "(Go's pool: ") {
		t.Errorf("stderr:\n%s", stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r := run.Results[len(run.Results)-1]; r.Strategy != "py-pool-apply-async" || r.WallRatioVsGo == nil {
		t.Errorf("last result %s, ratio to Go %v", r.Strategy, r.WallRatioVsGo)
	}
}
