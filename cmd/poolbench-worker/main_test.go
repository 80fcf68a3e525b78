package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/gobuild"
	"github.com/poolbench/poolbench/internal/procwatch"
	"github.com/poolbench/poolbench/procpool"
)

// bins are the binaries the tests share, built once: same/ holds
// poolbench and poolbench-worker of one build, other/ the same poolbench
// (a hard link) beside a poolbench-worker of another build.
var bins struct {
	dir                                            string // made and removed by TestMain
	once                                           sync.Once
	built                                          bool
	stamp, otherStamp                              string
	poolbench, worker, otherPoolbench, otherWorker string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "poolbench-worker-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// built builds the shared binaries at its first call; a failed build
// fails that test, and every later one says so.
func built(t *testing.T) {
	t.Helper()
	bins.once.Do(func() {
		same, other := filepath.Join(bins.dir, "same"), filepath.Join(bins.dir, "other")
		for _, d := range []string{same, other} {
			if err := os.Mkdir(d, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		bins.stamp = fmt.Sprintf("test-%d-%d", os.Getpid(), time.Now().UnixNano())
		bins.otherStamp = bins.stamp + "-other"
		bins.poolbench = gobuild.Stamped(t, same, "poolbench", "github.com/poolbench/poolbench/cmd/poolbench", bins.stamp)
		bins.worker = gobuild.Stamped(t, same, "poolbench-worker", ".", bins.stamp)
		bins.otherWorker = gobuild.Stamped(t, other, "poolbench-worker", ".", bins.otherStamp)
		bins.otherPoolbench = filepath.Join(other, "poolbench")
		if err := os.Link(bins.poolbench, bins.otherPoolbench); err != nil {
			t.Fatal(err)
		}
		bins.built = true
	})
	if !bins.built {
		t.Fatal("the test binaries could not be built: see the first test that built them")
	}
}

// TestWorkerBinaryOfTheSameBuild runs a pool trial from poolbench beside
// a poolbench-worker of its own build: its workers are poolbench-worker
// processes, as /proc shows them, and results.json says so. Beside a
// worker of another build, the trial's workers are poolbench itself
// again, and a note says why.
func TestWorkerBinaryOfTheSameBuild(t *testing.T) {
	built(t)
	dir := t.TempDir()

	exes, run := procwatch.RunTrial(t, bins.poolbench, "pool-apply-async", procpool.RoleWorker, filepath.Join(dir, "same"))
	if !exes[bins.worker] || exes[bins.poolbench] {
		t.Errorf("the trial's pool workers ran %v, want %s only", keys(exes), bins.worker)
	}
	if run.Config.WorkerBinary != "poolbench-worker" {
		t.Errorf("config.worker_binary %q, want poolbench-worker", run.Config.WorkerBinary)
	}
	for _, n := range run.Notes {
		if strings.Contains(n, "re-executed") {
			t.Errorf("note %q, though the workers were poolbench-worker", n)
		}
	}

	exes, run = procwatch.RunTrial(t, bins.otherPoolbench, "pool-apply-async", procpool.RoleWorker, filepath.Join(dir, "other"))
	if !exes[bins.otherPoolbench] || exes[bins.otherWorker] {
		t.Errorf("with a worker of another build, the trial's pool workers ran %v, want %s only", keys(exes), bins.otherPoolbench)
	}
	if run.Config.WorkerBinary != "poolbench" {
		t.Errorf("config.worker_binary %q, want poolbench", run.Config.WorkerBinary)
	}
	want := "pool workers re-executed poolbench itself, not poolbench-worker: the poolbench-worker beside it is of another build"
	found := false
	for _, n := range run.Notes {
		found = found || strings.HasPrefix(n, want)
	}
	if !found {
		t.Errorf("notes %q: none starts %q", run.Notes, want)
	}
}

// The article preset's live example runs its workers from poolbench-worker
// when it is of the same build, as the trials do (the example's function
// is among the built-in ones the lean worker has), and says which
// executable they were; beside a worker of another build they are
// poolbench itself, and it says why.
func TestArticleExampleWorkers(t *testing.T) {
	built(t)
	for _, tc := range []struct {
		name, poolbench, want string
	}{
		{"same build", bins.poolbench, "worker processes, each " + bins.worker + ".\n"},
		{"other build", bins.otherPoolbench, "worker processes, each " + bins.otherPoolbench + " (not poolbench-worker: the poolbench-worker beside it is of another build).\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(tc.poolbench, "run", "--preset", "article", "--strategies", "serial",
				"--tasks", "2", "--task-size", "1ms", "--repeat", "1", "--warmup", "0", "--out", t.TempDir())
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			if out := stdout.String(); !strings.Contains(out, tc.want) || strings.Count(out, "log: pid ") < 100 {
				t.Errorf("stdout lacks %q or the example's 100 log lines:\n%s", tc.want, out)
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Run by hand, without the role, it says what it is and exits 2.
func TestStandalone(t *testing.T) {
	built(t)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bins.otherWorker)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if stdout.Len() != 0 || len(lines) != 1 || !strings.Contains(lines[0], "pool worker of poolbench") || !strings.Contains(lines[0], bins.otherStamp) {
		t.Errorf("stdout %q, stderr %q: want one line on stderr saying what it is, with its build", stdout.String(), stderr.String())
	}
}
