package natspool

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// A local worker dies with the thread that started it (Pdeathsig), and Go
// ends a thread when a goroutine locked to it returns. A worker started
// from such a goroutine must still outlive it: starts go through starter
// threads that live as long as their workers.
func TestWorkerOutlivesTheThreadThatAskedForIt(t *testing.T) {
	p := newPool(t, 1)
	if _, err := p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil {
		t.Fatal(err)
	}
	type started struct {
		pid, tid int
		err      error
	}
	ch := make(chan started, 1)
	lockedThread := func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if syscall.Gettid() == os.Getpid() {
			// The process's main thread, which the runtime parks rather
			// than ends: nothing to show on it. Try another.
			runtime.UnlockOSThread()
			ch <- started{}
			return
		}
		p.mu.Lock()
		err := p.startLocalLocked()
		pid := 0
		var last time.Time
		for _, l := range p.locals {
			if l.started && l.start.After(last) {
				pid, last = l.cmd.Process.Pid, l.start
			}
		}
		p.mu.Unlock()
		ch <- started{pid, syscall.Gettid(), err}
	}
	var s started
	for s.tid == 0 {
		go lockedThread()
		s = <-ch
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	// Until the thread has gone, nothing is shown either way.
	task := filepath.Join("/proc/self/task", strconv.Itoa(s.tid))
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(task); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the locked goroutine's thread did not end")
		}
	}
	// A parent-death signal is sent as the thread exits; give its delivery
	// time to show (a bound on the check, not a timing claim).
	time.Sleep(200 * time.Millisecond)
	if state, _ := procState(s.pid); state == "" || state == "Z" {
		t.Fatalf("worker %d died with the thread its start was asked from (state %q)", s.pid, state)
	}
	// And it serves.
	for p.Stats().Ready < 2 {
		time.Sleep(time.Millisecond)
	}
}
