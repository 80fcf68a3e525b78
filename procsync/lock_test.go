package procsync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newLock(t *testing.T, path string) *Lock {
	t.Helper()
	l, err := NewLock(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestNewLockErrors(t *testing.T) {
	for _, path := range []string{"", filepath.Join(t.TempDir(), "missing", "x.lock")} {
		if l, err := NewLock(path); err == nil {
			l.Close()
			t.Errorf("NewLock(%q) succeeded", path)
		}
	}
}

// Two Lock values on one path in one process exclude each other, because
// flock locks belong to open file descriptions.
func TestTwoLocksOneProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	a, b := newLock(t, path), newLock(t, path)
	if ok, err := a.TryAcquire(); !ok || err != nil {
		t.Fatalf("a.TryAcquire = %v, %v", ok, err)
	}
	if ok, err := b.TryAcquire(); ok || err != nil {
		t.Fatalf("b.TryAcquire while a holds = %v, %v", ok, err)
	}
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.TryAcquire(); !ok || err != nil {
		t.Fatalf("b.TryAcquire after release = %v, %v", ok, err)
	}
}

// One Lock value shared by goroutines, and several values on one path, both
// admit one holder at a time.
func TestLockGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	shared := newLock(t, path)
	for _, tc := range []struct {
		name string
		lock func() *Lock
	}{
		{"one value", func() *Lock { return shared }},
		{"value each", func() *Lock { return newLock(t, path) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inside, peak atomic.Int32
			var wg sync.WaitGroup
			for range 4 {
				l := tc.lock()
				wg.Go(func() {
					for range 50 {
						if err := l.Acquire(context.Background()); err != nil {
							t.Error(err)
							return
						}
						n := inside.Add(1)
						if n > peak.Load() {
							peak.Store(n)
						}
						time.Sleep(10 * time.Microsecond)
						inside.Add(-1)
						if err := l.Release(); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if p := peak.Load(); p != 1 {
				t.Errorf("%d holders at once", p)
			}
		})
	}
}

func TestReleaseUnheld(t *testing.T) {
	l := newLock(t, filepath.Join(t.TempDir(), "x.lock"))
	if err := l.Release(); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("Release of a fresh lock = %v, want ErrNotHeld", err)
	}
	if err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("second Release = %v, want ErrNotHeld", err)
	}
}

// A blocked Acquire returns ctx.Err() promptly and owns nothing afterwards,
// whether it was waiting on another process's flock or on a goroutine of its
// own process holding the same value.
func TestAcquireCancelled(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sameLock bool
		deadline bool
	}{
		{"other holder, deadline", false, true},
		{"other holder, cancel", false, false},
		{"same value, deadline", true, true},
		{"same value, cancel", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.lock")
			holder := newLock(t, path)
			waiter := holder
			if !tc.sameLock {
				waiter = newLock(t, path)
			}
			if err := holder.Acquire(context.Background()); err != nil {
				t.Fatal(err)
			}
			var ctx context.Context
			var cancel context.CancelFunc
			if tc.deadline {
				ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
			} else {
				ctx, cancel = context.WithCancel(context.Background())
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			defer cancel()
			start := time.Now()
			err := waiter.Acquire(ctx)
			took := time.Since(start)
			if err != ctx.Err() || err == nil {
				t.Fatalf("Acquire = %v, want ctx.Err() = %v", err, ctx.Err())
			}
			if took > time.Second {
				t.Errorf("cancelled Acquire took %v", took)
			}
			if err := holder.Release(); err != nil {
				t.Fatal(err)
			}
			if err := waiter.Release(); !errors.Is(err, ErrNotHeld) {
				t.Errorf("cancelled waiter's Release = %v, want ErrNotHeld", err)
			}
			// Neither the flock nor the in-process gate leaked. The
			// cancelled wait, granted once the holder let go, lets the
			// lock go again at once: Acquire, not TryAcquire, since it
			// may hold it for that moment.
			probe := newLock(t, path)
			pctx, pcancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer pcancel()
			if err := probe.Acquire(pctx); err != nil {
				t.Fatalf("lock still held after the cancelled Acquire: %v", err)
			}
			probe.Release()
			if ok, err := waiter.TryAcquire(); !ok || err != nil {
				t.Fatalf("waiter.TryAcquire = %v, %v", ok, err)
			}
		})
	}
}

func TestAcquireDoneContext(t *testing.T) {
	l := newLock(t, filepath.Join(t.TempDir(), "x.lock"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Acquire(ctx); err != context.Canceled {
		t.Fatalf("Acquire with a done context = %v", err)
	}
}

func TestLockClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	a, b := newLock(t, path), newLock(t, path)
	if err := a.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- b.Acquire(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("Acquire waiting across Close = %v, want ErrClosed", err)
	}
	// Closing the holder frees the lock for others.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	for name, call := range map[string]func() error{
		"Acquire":    func() error { return a.Acquire(context.Background()) },
		"TryAcquire": func() error { _, err := a.TryAcquire(); return err },
		"Release":    a.Release,
	} {
		if err := call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	// b's wait, abandoned by its Close, may be granted the lock for a
	// moment before letting it go: Acquire, not TryAcquire.
	c := newLock(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Acquire(ctx); err != nil {
		t.Fatalf("lock held after its holder closed: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("lock file gone after Close: %v", err)
	}
}
