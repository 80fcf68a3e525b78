package procsync

import (
	"bufio"
	"context"
	"fmt"
	"io"
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

// The same across processes: a child that holds the lock and, once told to
// go, lets it go and takes it again as fast as it can, counting its turns in
// a file; the parent, queued meanwhile, reads the count once it is in.
func TestWaiterNotStarvedAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	path, counter := filepath.Join(dir, "x.lock"), filepath.Join(dir, "turns")
	if err := os.WriteFile(counter, fmt.Appendf(nil, "%0*d", counterWidth, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	c := spawn(t, "spin", nil, "PROCSYNC_LOCK="+path, "PROCSYNC_FILE="+counter)
	if got := c.waitLine(t, 10*time.Second); got != "held\n" {
		t.Fatalf("child said %q", got)
	}
	waiter := newLock(t, path)
	waited := make(chan error, 1)
	go func() { waited <- waiter.Acquire(context.Background()) }()
	probe, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	waitQueued(t, probe, waited)
	if _, err := c.stdin.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(counter)
	if err != nil {
		t.Fatal(err)
	}
	turns, err := readCounter(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c.release() // stop: the child ends after its next turn
	if err := waiter.Release(); err != nil {
		t.Fatal(err)
	}
	if err := c.wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if turns > 1 {
		t.Errorf("the spinning child took %d turns while the parent was queued, want at most 1", turns)
	}
}

// spin is the child of TestWaiterNotStarvedAcrossProcesses: it takes the
// lock, says "held", and on "go" from stdin lets it go and takes it again in
// a loop, writing the number of turns to file while holding, until stdin
// ends.
func spin(ctx context.Context, lockPath, file string) error {
	l, err := NewLock(lockPath)
	if err != nil {
		return err
	}
	defer l.Close()
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := l.Acquire(ctx); err != nil {
		return err
	}
	fmt.Println("held")
	in := bufio.NewReader(os.Stdin)
	if line, err := in.ReadString('\n'); err != nil || line != "go\n" {
		return fmt.Errorf("want go, read %q, %v", line, err)
	}
	var stop atomic.Bool
	go func() {
		io.Copy(io.Discard, in)
		stop.Store(true)
	}()
	for turns := 0; !stop.Load(); {
		if err := l.Release(); err != nil {
			return err
		}
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		turns++
		if err := writeCounter(f, turns); err != nil {
			return err
		}
	}
	return l.Release()
}
