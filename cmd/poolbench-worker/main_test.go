package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/buildstamp"
	"github.com/poolbench/poolbench/internal/gobuild"
	"github.com/poolbench/poolbench/internal/procwatch"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
)

// stamped builds pkg into dir/name with the build stamp set, as make
// build sets it.
func stamped(t *testing.T, dir, name, pkg, stamp string) string {
	t.Helper()
	return gobuild.Build(t, filepath.Join(dir, name), pkg, "-X "+buildstamp.Symbol+"="+stamp)
}

// TestWorkerBinaryOfTheSameBuild builds poolbench and poolbench-worker
// side by side with one stamp and runs a pool trial: its workers are
// poolbench-worker processes, as /proc shows them, and results.json says
// so. With the worker rebuilt under another stamp, the trial's workers are
// poolbench itself again, and a note says why.
func TestWorkerBinaryOfTheSameBuild(t *testing.T) {
	dir := t.TempDir()
	stamp := fmt.Sprintf("test-%d-%d", os.Getpid(), time.Now().UnixNano())
	poolbench := stamped(t, dir, "poolbench", "github.com/poolbench/poolbench/cmd/poolbench", stamp)
	worker := stamped(t, dir, "poolbench-worker", ".", stamp)

	exes, run := runPool(t, poolbench, filepath.Join(dir, "same"))
	if !exes[worker] || exes[poolbench] {
		t.Errorf("the trial's pool workers ran %v, want %s only", keys(exes), worker)
	}
	if run.Config.WorkerBinary != "poolbench-worker" {
		t.Errorf("config.worker_binary %q, want poolbench-worker", run.Config.WorkerBinary)
	}
	for _, n := range run.Notes {
		if strings.Contains(n, "re-executed") {
			t.Errorf("note %q, though the workers were poolbench-worker", n)
		}
	}

	stamped(t, dir, "poolbench-worker", ".", stamp+"-other")
	exes, run = runPool(t, poolbench, filepath.Join(dir, "other"))
	if !exes[poolbench] || exes[worker] {
		t.Errorf("with a worker of another build, the trial's pool workers ran %v, want %s only", keys(exes), poolbench)
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

// runPool runs a pool-apply-async trial of sleeping tasks, which keep its
// workers alive while /proc is read, and returns the executables its
// workers ran (the run's grandchildren; the run's own children are the
// trial and its solo worker starts) and the run's results.
func runPool(t *testing.T, poolbench, out string) (map[string]bool, *results.Run) {
	t.Helper()
	cmd := exec.Command(poolbench, "run", "--workload", "io", "--task-size", "300ms", "--tasks", "2", "--workers", "2",
		"--strategies", "pool-apply-async", "--repeat", "1", "--warmup", "0", "--out", out)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exes, err := procwatch.GrandchildExes(cmd, procpool.RoleWorker)
	if err != nil {
		t.Fatalf("poolbench run: %v\n%s", err, stderr.String())
	}
	run, err := results.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return exes, run
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
	dir := t.TempDir()
	worker := stamped(t, dir, "poolbench-worker", ".", "by-hand")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(worker)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if stdout.Len() != 0 || len(lines) != 1 || !strings.Contains(lines[0], "pool worker of poolbench") || !strings.Contains(lines[0], "by-hand") {
		t.Errorf("stdout %q, stderr %q: want one line on stderr saying what it is, with its build", stdout.String(), stderr.String())
	}
}
