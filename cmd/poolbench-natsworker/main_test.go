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
	"github.com/poolbench/poolbench/results"
)

// stamped builds pkg into dir/name with the build stamp set, as make
// build sets it.
func stamped(t *testing.T, dir, name, pkg, stamp string) string {
	t.Helper()
	return gobuild.Build(t, filepath.Join(dir, name), pkg, "-X "+buildstamp.Symbol+"="+stamp)
}

// natsWorkerRole is the role natspool starts its workers in
// (natspool/internal/wire.RoleWorker, out of this package's reach).
const natsWorkerRole = "nats-worker"

// TestNATSWorkerBinaryOfTheSameBuild builds poolbench and
// poolbench-natsworker side by side with one stamp and runs a NATS pool
// trial: its local workers are poolbench-natsworker processes, as /proc
// shows them, and results.json says so.
func TestNATSWorkerBinaryOfTheSameBuild(t *testing.T) {
	dir := t.TempDir()
	stamp := fmt.Sprintf("test-%d-%d", os.Getpid(), time.Now().UnixNano())
	poolbench := stamped(t, dir, "poolbench", "github.com/poolbench/poolbench/cmd/poolbench", stamp)
	worker := stamped(t, dir, "poolbench-natsworker", ".", stamp)

	out := filepath.Join(dir, "out")
	cmd := exec.Command(poolbench, "run", "--workload", "io", "--task-size", "300ms", "--tasks", "2", "--workers", "2",
		"--strategies", "nats-pool-apply-async", "--repeat", "1", "--warmup", "0", "--out", out)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The run's grandchildren are the trial's workers; the tasks keep each
	// alive for 300 ms, many reads.
	exes, err := procwatch.GrandchildExes(cmd, natsWorkerRole)
	if err != nil {
		t.Fatalf("poolbench run: %v\n%s", err, stderr.String())
	}
	if !exes[worker] || exes[poolbench] {
		t.Errorf("the trial's NATS pool workers ran %v, want %s only", exes, worker)
	}
	run, err := results.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if run.Config.WorkerBinary != "poolbench-natsworker" {
		t.Errorf("config.worker_binary %q, want poolbench-natsworker", run.Config.WorkerBinary)
	}
	for _, n := range run.Notes {
		if strings.Contains(n, "re-executed") {
			t.Errorf("note %q, though the workers were poolbench-natsworker", n)
		}
	}
}

// Run by hand, without the role, it says what it is and exits 2.
func TestStandalone(t *testing.T) {
	worker := stamped(t, t.TempDir(), "poolbench-natsworker", ".", "by-hand")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(worker)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if stdout.Len() != 0 || len(lines) != 1 || !strings.Contains(lines[0], "NATS pool worker of poolbench") || !strings.Contains(lines[0], "by-hand") {
		t.Errorf("stdout %q, stderr %q: want one line on stderr saying what it is, with its build", stdout.String(), stderr.String())
	}
}
