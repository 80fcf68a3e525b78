package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

// TestTrialRecordTooLong: a trial whose record is longer than the parent
// reads, and which then waits for its release as a trial does, ends with an
// error naming the records, not with each process waiting on the other.
func TestTrialRecordTooLong(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "trial.sh")
	// 17 MiB on one line to descriptor 3, then wait for descriptor 4's end.
	script := "#!/bin/sh\nhead -c 17825792 /dev/zero | tr '\\000' x >&3\necho >&3\ncat <&4 >/dev/null\n"
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// A bound only a hang reaches: the run itself takes well under a second.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := Run(ctx, Config{Workloads: []string{"noop"}, Strategies: []string{"serial"}, Tasks: 1, Workers: 1,
		Repeat: 1, SampleInterval: DefaultInterval, Executable: exe, TaskOutput: io.Discard}, nil)
	if err == nil || !strings.Contains(err.Error(), "read its records") {
		t.Fatalf("error %v, want one about reading the trial's records", err)
	}
}

// A trial's peak RSS is its own tree's. os/exec starts a child in its
// parent's memory map until exec, and the kernel then carries the parent's
// high-water mark into the child's ru_maxrss: a poolbench that once held
// 256 MiB saw every trial it started report at least that.
func TestTrialPeakRSSIsNotTheParents(t *testing.T) {
	const held = 256 << 20
	mem, err := syscall.Mmap(-1, 0, held, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(mem); i += os.Getpagesize() {
		mem[i] = 1
	}
	if err := syscall.Munmap(mem); err != nil {
		t.Fatal(err)
	}
	cfg := small("noop")
	cfg.Strategies, cfg.Repeat, cfg.Warmup = []string{"serial"}, 1, 0
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := run.Results[0]
	t.Logf("serial noop trial: peak RSS %.1f MiB after its parent held %d MiB", r.PeakRSSBytes.Median/(1<<20), held>>20)
	if r.PeakRSSBytes.Median >= held/2 {
		t.Errorf("peak RSS %.1f MiB: the parent's high-water mark, not the trial's", r.PeakRSSBytes.Median/(1<<20))
	}
}

// processes_spawned counts every process a trial started, held against
// the starts the workers themselves noted: process-per-task whose every
// task kills its process starts one process a task, as Python's
// Process(target=f) does, with no replacement left to count or to miss.
func TestProcessPerTaskCountsEveryProcessItStarts(t *testing.T) {
	starts := filepath.Join(t.TempDir(), "starts")
	t.Setenv(envStarts, starts)
	cfg := small("noop")
	cfg.Strategies, cfg.Repeat, cfg.Warmup = []string{"process-per-task"}, 1, 0
	faults, err := workloads.ParseFaults("crash=1", 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Faults = faults
	run, err := Run(context.Background(), cfg, nil)
	if err != nil && !errors.Is(err, ErrNothingMeasured) {
		t.Fatal(err)
	}
	data, err := os.ReadFile(starts)
	if err != nil {
		t.Fatal(err)
	}
	// The solo starts before the trial are this process's children;
	// the trial's workers are the trial's.
	byTrial := 0
	for line := range strings.Lines(string(data)) {
		var pid, ppid int
		if _, err := fmt.Sscan(line, &pid, &ppid); err != nil {
			t.Fatalf("starts file: %q: %v", line, err)
		}
		if ppid != os.Getpid() {
			byTrial++
		}
	}
	r := run.Results[0]
	t.Logf("%d tasks crashed: %d processes recorded, %d started by the trial", cfg.Tasks, r.ProcessesSpawned, byTrial)
	if r.Errors != cfg.Tasks {
		t.Fatalf("%d of %d tasks failed, want all", r.Errors, cfg.Tasks)
	}
	if r.ProcessesSpawned != byTrial || byTrial != cfg.Tasks {
		t.Errorf("recorded %d processes spawned, the trial started %d, for %d tasks", r.ProcessesSpawned, byTrial, cfg.Tasks)
	}
}
