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
	"time"

	"github.com/poolbench/poolbench/internal/buildstamp"
	"github.com/poolbench/poolbench/internal/gobuild"
	"github.com/poolbench/poolbench/internal/procwatch"
	"github.com/poolbench/poolbench/results"
)

// stamped builds pkg into dir/name with the build stamp set, as make
// build sets it, without the symbol table and DWARF (-s -w): nothing here
// reads them, and they make the link of poolbench, most of these tests'
// time, about 1.7 times as long.
func stamped(t *testing.T, dir, name, pkg, stamp string) string {
	t.Helper()
	return gobuild.Build(t, filepath.Join(dir, name), pkg, "-s -w -X "+buildstamp.Symbol+"="+stamp)
}

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
		bins.poolbench = stamped(t, bins.dir, "poolbench", "github.com/poolbench/poolbench/cmd/poolbench", bins.stamp)
		bins.worker = stamped(t, bins.dir, "poolbench-natsworker", ".", bins.stamp)
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

	out := filepath.Join(t.TempDir(), "out")
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
