package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/buildstamp"
	"github.com/poolbench/poolbench/results"
)

// build builds pkg into dir/name with the build stamp set as make build
// sets it. Without -race, as a user builds it: the packages are mostly
// the ones go vet and go build compiled already, so this mostly links.
func build(t *testing.T, dir, name, pkg, stamp string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command(goTool, "build", "-ldflags", "-X "+buildstamp.Symbol+"="+stamp, "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// TestWorkerBinaryOfTheSameBuild builds poolbench and poolbench-worker
// side by side with one stamp and runs a pool trial: its workers are
// poolbench-worker processes, as /proc shows them, and results.json says
// so. With the worker rebuilt under another stamp, the trial's workers are
// poolbench itself again, and a note says why.
func TestWorkerBinaryOfTheSameBuild(t *testing.T) {
	dir := t.TempDir()
	stamp := fmt.Sprintf("test-%d-%d", os.Getpid(), time.Now().UnixNano())
	poolbench := build(t, dir, "poolbench", "github.com/poolbench/poolbench/cmd/poolbench", stamp)
	worker := build(t, dir, "poolbench-worker", ".", stamp)

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

	build(t, dir, "poolbench-worker", ".", stamp+"-other")
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
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// A grandchild read between its fork and its exec shows the trial's
	// executable, however loaded the machine; only its last read, after
	// the exec, says what it runs. The tasks keep each worker alive for
	// 300 ms, many reads.
	last := map[int]string{}
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("poolbench run: %v\n%s", err, stderr.String())
			}
			run, err := results.ReadFile(filepath.Join(out, "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			exes := map[string]bool{}
			for _, exe := range last {
				exes[exe] = true
			}
			return exes, run
		default:
		}
		for _, pid := range grandchildren(cmd.Process.Pid) {
			if exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil {
				last[pid] = exe
			}
		}
		time.Sleep(2 * time.Millisecond) // the pace of the reads, not a wait for anything
	}
}

// grandchildren are the processes whose parent's parent is pid, from /proc.
func grandchildren(pid int) []int {
	parent := map[int]int{}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		p, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold blanks and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if f := strings.Fields(string(stat[i+1:])); i > 0 && len(f) > 1 {
			parent[p], _ = strconv.Atoi(f[1])
		}
	}
	var out []int
	for p, pp := range parent {
		if parent[pp] == pid {
			out = append(out, p)
		}
	}
	return out
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
	worker := build(t, dir, "poolbench-worker", ".", "by-hand")
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
