package procsync

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// A holder that lets the lock go and at once asks again, as the locked log
// writers do, does not keep it from a waiter: once the waiter is queued,
// the holder gets at most one more turn before the waiter is in. Turns are
// counted, not timed, so load on the machine does not change the verdict.
// (With waiters that polled, the holder won nearly every race to the lock:
// thousands of turns could go by while a waiter waited.)
func TestWaiterNotStarved(t *testing.T) {
	for range 5 {
		waiterNotStarved(t)
	}
}

func waiterNotStarved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	holder, waiter := newLock(t, path), newLock(t, path)
	ctx := context.Background()
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- waiter.Acquire(ctx) }()

	// Wait for the waiter to be in line (its hold on the turnstile, seen
	// from a descriptor of our own) while the holder holds.
	probe, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	for {
		busy, err := turnstileBusy(int(probe.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		if busy {
			break
		}
		yield()
	}

	var turns atomic.Int64
	stop := make(chan struct{})
	holderErr := make(chan error, 1)
	go func() {
		for {
			if err := holder.Release(); err != nil {
				holderErr <- err
				return
			}
			select {
			case <-stop:
				holderErr <- nil
				return
			default:
			}
			if err := holder.Acquire(ctx); err != nil {
				holderErr <- err
				return
			}
			turns.Add(1)
		}
	}()
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	n := turns.Load()
	close(stop)
	if err := waiter.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-holderErr; err != nil {
		t.Fatal(err)
	}
	if n > 1 {
		t.Errorf("the holder took %d turns while a waiter was queued, want at most 1", n)
	}
}

// yield lets other goroutines run while a test polls for an event.
func yield() { time.Sleep(100 * time.Microsecond) }
