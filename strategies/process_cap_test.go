//go:build linux

package strategies

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// childProcesses counts this process's children, from /proc: every
// thread's list, since a worker's parent is the thread that started it.
func childProcesses(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("/proc/self/task/*/children")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread has exited
		}
		n += len(strings.Fields(string(b)))
	}
	return n
}

// TestProcessPerTaskCap: with MaxProcesses set, process-per-task never has
// more of its processes alive at once, as the kernel lists them, and still
// runs every task in a process of its own.
func TestProcessPerTaskCap(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc to count children in")
	}
	if n := childProcesses(t); n != 0 {
		t.Fatalf("%d children before the test", n)
	}
	p := plan(t, "io", "30ms", 8, 1)
	p.MaxProcesses = 2
	if c := (ProcessPerTask{}).Concurrency(p); c != 2 {
		t.Fatalf("concurrency %d, want the cap 2", c)
	}
	var peak atomic.Int64
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n := int64(childProcesses(t)); n > peak.Load() {
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
