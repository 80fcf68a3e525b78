package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/poolbench/poolbench/internal/gobuild"
	"github.com/poolbench/poolbench/results"
)

// built is the example, built once for every test.
var built struct {
	once     sync.Once
	dir, bin string
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildExample builds this example with go build, as a user would, into a
// temporary folder, once.
func buildExample(t *testing.T) string {
	t.Helper()
	goTool := gobuild.Tool(t)
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "myfunc-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "myfunc")
		// Without -race, as a user builds it: its packages are the ones go
		// vet and go build compiled already, so this mostly links.
		if out, err := exec.Command(goTool, "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// run runs the built example with args and returns its exit status, stdout
// and stderr.
func run(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// TestExampleEndToEnd builds the example and runs it as its README shows:
// list names the function, run measures it under two strategies, the
// results name it and the pool's checksum matches serial's.
func TestExampleEndToEnd(t *testing.T) {
	bin := buildExample(t)

	code, stdout, stderr := run(t, bin, "list")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "collatz") || !strings.Contains(stdout, "func(main.Start) (int, error)") {
		t.Errorf("list does not show the function:\n%s", stdout)
	}

	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr = run(t, bin, "run", "--workload", "collatz", "--args-file", "inputs.jsonl",
		"--strategies", "serial,pool-apply-async", "--workers", "2", "--repeat", "1", "--warmup", "0", "--out", out)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "collatz") {
		t.Errorf("the table does not name the function:\n%s", stdout)
	}
	r, err := results.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	lines := 8 // in inputs.jsonl: the task count when --tasks is not given
	var seen []string
	for _, res := range r.Results {
		seen = append(seen, res.Strategy)
		if res.Workload != "collatz" || res.Tasks != lines {
			t.Errorf("%s: workload %q with %d tasks, want collatz with %d", res.Strategy, res.Workload, res.Tasks, lines)
		}
		if res.ErrorsTotal != 0 {
			t.Errorf("%s: %d task errors", res.Strategy, res.ErrorsTotal)
		}
		if res.Strategy != "serial" && (res.ChecksumOK == nil || !*res.ChecksumOK) {
			t.Errorf("%s: checksum %q not confirmed against serial's", res.Strategy, res.Checksum)
		}
	}
	if strings.Join(seen, ",") != "serial,pool-apply-async" {
		t.Errorf("results for %v, want serial and pool-apply-async", seen)
	}
}

// TestExampleTasksCycleThroughTheLines: --tasks beyond the file's lines
// runs that many tasks, line i modulo 8 each, the same in every strategy.
func TestExampleTasksCycleThroughTheLines(t *testing.T) {
	bin := buildExample(t)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := run(t, bin, "run", "--workload", "collatz", "--args-file", "inputs.jsonl", "--tasks", "20",
		"--strategies", "serial,goroutines", "--repeat", "1", "--warmup", "0", "--out", out)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	r, err := results.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(r.Config.ArgsFile, filepath.Join("examples", "myfunc", "inputs.jsonl")) {
		t.Errorf("config records args file %q", r.Config.ArgsFile)
	}
	for _, res := range r.Results {
		if res.Tasks != 20 || res.ErrorsTotal != 0 {
			t.Errorf("%s: %d tasks, %d errors; want 20 tasks, none failed", res.Strategy, res.Tasks, res.ErrorsTotal)
		}
		if res.Strategy == "goroutines" && (res.ChecksumOK == nil || !*res.ChecksumOK) {
			t.Errorf("goroutines: checksum %q not confirmed against serial's", res.Checksum)
		}
	}
}

// TestExampleBadInput: a missing args file, a line that is not JSON, one
// that is not the function's argument, and an unknown function each get
// one line on stderr and exit status 2.
func TestExampleBadInput(t *testing.T) {
	bin := buildExample(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	malformed := write("malformed.jsonl", "{\"n\": 27}\n{n: 3}\n")
	wrongType := write("wrong.jsonl", "{\"n\": 27}\n\n{\"n\": \"many\"}\n")
	empty := write("empty.jsonl", "\n\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing args file", []string{"--workload", "collatz", "--args-file", filepath.Join(dir, "none.jsonl")}, "none.jsonl: no such file or directory"},
		{"no args file", []string{"--workload", "collatz"}, "--workload collatz needs --args-file FILE"},
		{"malformed line", []string{"--workload", "collatz", "--args-file", malformed}, "malformed.jsonl: line 2: not a JSON value"},
		{"not the argument", []string{"--workload", "collatz", "--args-file", wrongType}, "wrong.jsonl: line 3: procpool: argument of collatz"},
		{"empty file", []string{"--workload", "collatz", "--args-file", empty}, "no tasks"},
		{"unknown function", []string{"--workload", "colatz", "--args-file", malformed}, `"colatz": unknown workload`},
		{"args file for a built-in", []string{"--workload", "cpu", "--args-file", malformed}, "--args-file is for a program's own functions"},
		{"task size", []string{"--workload", "collatz", "--args-file", "inputs.jsonl", "--task-size", "10"}, "collatz takes its arguments from --args-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "--strategies", "serial", "--out", filepath.Join(t.TempDir(), "out")}, tt.args...)
			code, _, stderr := run(t, bin, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q: want one line containing %q", stderr, tt.want)
			}
		})
	}
}

// TestReadmeShowsThisExample: the README's code is this file's, verbatim,
// from the argument's type to main.
func TestReadmeShowsThisExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "From examples/myfunc/main.go")
	_, after, opened := strings.Cut(after, "```go\n")
	block, _, closed := strings.Cut(after, "```")
	if !ok || !opened || !closed {
		t.Fatal("README.md has no code block after \"From examples/myfunc/main.go\"")
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), block) {
		t.Errorf("README.md's example is not main.go's code:\n%s", block)
	}
	if !strings.HasSuffix(block, "func main() { cli.Main() }\n") {
		t.Errorf("README.md's example does not end with main:\n%s", block)
	}
}
