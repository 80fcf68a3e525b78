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
)

// natsWorkerRole is the role natspool starts its workers in
// (natspool/internal/wire.RoleWorker, out of this package's reach).
const natsWorkerRole = "nats-worker"

// bins are poolbench and poolbench-natsworker of one build, side by side,
// which the tests share, built once.
var bins struct {
	dir               string // made and removed by TestMain
	once              sync.Once
	built             bool
	stamp             string
	poolbench, worker string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "poolbench-natsworker-test-")
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
		bins.stamp = fmt.Sprintf("test-%d-%d", os.Getpid(), time.Now().UnixNano())
		bins.poolbench = gobuild.Stamped(t, bins.dir, "poolbench", "github.com/poolbench/poolbench/cmd/poolbench", bins.stamp)
		bins.worker = gobuild.Stamped(t, bins.dir, "poolbench-natsworker", ".", bins.stamp)
		bins.built = true
	})
	if !bins.built {
		t.Fatal("the test binaries could not be built: see the first test that built them")
	}
}

// TestNATSWorkerBinaryOfTheSameBuild runs a NATS pool trial from
// poolbench beside a poolbench-natsworker of its own build: its local
// workers are poolbench-natsworker processes, as /proc shows them, and
// results.json says so.
func TestNATSWorkerBinaryOfTheSameBuild(t *testing.T) {
	built(t)
	poolbench, worker := bins.poolbench, bins.worker

	// The trial's local workers: the tasks keep each alive for 300 ms,
	// many reads.
	exes, run := procwatch.RunTrial(t, poolbench, "nats-pool-apply-async", natsWorkerRole, filepath.Join(t.TempDir(), "out"))
	if !exes[worker] || exes[poolbench] {
		t.Errorf("the trial's NATS pool workers ran %v, want %s only", exes, worker)
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
	built(t)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bins.worker)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if stdout.Len() != 0 || len(lines) != 1 || !strings.Contains(lines[0], "NATS pool worker of poolbench") || !strings.Contains(lines[0], bins.stamp) {
		t.Errorf("stdout %q, stderr %q: want one line on stderr saying what it is, with its build", stdout.String(), stderr.String())
	}
}
