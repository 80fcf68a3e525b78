//go:build linux

package strategies

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// childProcesses lists this process's children, from /proc: every
// thread's list, since a worker's parent is the thread that started it.
func childProcesses() map[string]bool {
	files, _ := filepath.Glob("/proc/self/task/*/children") // only a bad pattern fails
	pids := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread has exited
		}
		for _, pid := range strings.Fields(string(b)) {
			pids[pid] = true
		}
	}
	return pids
}

// TestProcessPerTaskCap: with MaxProcesses set, process-per-task never has
// more of its processes alive at once, as the kernel lists them, and still
// runs every task in a process of its own.
func TestProcessPerTaskCap(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc to count children in")
	}
	// Children of earlier tests still being reaped are not counted.
	before := childProcesses()
	p := plan(t, "io", "30ms", 8, 1)
	p.MaxProcesses = 2
	if c := (ProcessPerTask{}).Concurrency(p); c != 2 {
		t.Fatalf("concurrency %d, want the cap 2", c)
	}
	var peak atomic.Int64
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		// One scan reads each thread's list at its own moment, so it can
		// hold a child reaped early in the scan and its successor started
		// later: never alive together. Only children in two scans in a
		// row count: each was started before the first ended and not
		// reaped before the second began, so all were alive together.
		last := map[string]bool{}
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
			scan := childProcesses()
			var n int64
			for pid := range scan {
				if last[pid] && !before[pid] {
					n++
				}
			}
			last = scan
			if n > peak.Load() {
				peak.Store(n)
			}
		}
	}()
	rec := NewRecorder()
	err := (ProcessPerTask{}).Run(context.Background(), p, rec)
	close(stop)
	<-watched
	if err != nil {
		t.Fatal(err)
	}
	o := rec.Outcome()
	if o.Tasks != 8 || o.Errors != 0 || o.SpawnCount != 8 {
		t.Fatalf("%d tasks, %d errors, %d processes started; want 8, 0, 8", o.Tasks, o.Errors, o.SpawnCount)
	}
	if got := peak.Load(); got > 2 {
		t.Fatalf("%d processes alive at once, cap 2", got)
	}
}
