package procsync

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// Lock is an exclusive lock shared by processes through a lock file, like
// Python's multiprocessing.Lock. While one Lock holds it, an Acquire through
// any other Lock on the same path, in this process or another, waits.
//
// A Lock is safe for concurrent use by goroutines: they take turns on it as
// on a sync.Mutex, and, as with Python's Lock, any goroutine may release it.
// The kernel releases the lock if the holding process dies.
type Lock struct {
	path string
	// gate serialises the goroutines of this process that share this value:
	// flock alone would let a second goroutine "acquire" a lock this open
	// file description already holds. A token in gate is a claim on the
	// value; the flock is the claim across processes.
	gate chan struct{}
	done chan struct{} // closed by Close, to wake waiters

	mu     sync.Mutex // guards the fields below
	f      *os.File
	held   bool
	closed bool
}

// NewLock opens the lock file at path, creating it (mode 0644) if needed.
// The file's content is never touched; only its lock is used.
func NewLock(path string) (*Lock, error) {
	if path == "" {
		return nil, fmt.Errorf("procsync: new lock: empty path")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("procsync: open lock %s: %w", path, err)
	}
	return &Lock{
		path: path,
		gate: make(chan struct{}, 1),
		done: make(chan struct{}),
		f:    f,
	}, nil
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Acquire blocks until the lock is held or ctx ends. On cancellation it
// returns ctx.Err() promptly and the lock is not held.
func (l *Lock) Acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l.gate <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-l.done:
		return l.errClosed("acquire")
	}
	if err := wait(ctx, l.done, l.errClosed("acquire"), l.tryLocked); err != nil {
		<-l.gate
		return err
	}
	return nil
}

// TryAcquire takes the lock if it is free and reports whether it did. It
// never blocks.
func (l *Lock) TryAcquire() (bool, error) {
	select {
	case l.gate <- struct{}{}:
	default:
		l.mu.Lock()
		closed := l.closed
		l.mu.Unlock()
		if closed {
			return false, l.errClosed("try acquire")
		}
		return false, nil
	}
	ok, err := l.tryLocked()
	if !ok {
		<-l.gate
	}
	return ok, err
}

// tryLocked takes the flock if free; the caller holds the gate token.
func (l *Lock) tryLocked() (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false, l.errClosed("acquire")
	}
	ok, err := tryFlock(int(l.f.Fd()))
	if err != nil {
		return false, fmt.Errorf("procsync: acquire %s: %w", l.path, err)
	}
	l.held = ok
	return ok, nil
}

// Release releases the lock. Releasing a lock this value does not hold
// returns ErrNotHeld.
func (l *Lock) Release() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return l.errClosed("release")
	}
	if !l.held {
		l.mu.Unlock()
		return fmt.Errorf("procsync: release %s: %w", l.path, ErrNotHeld)
	}
	if err := unflock(int(l.f.Fd())); err != nil {
		l.mu.Unlock()
		return fmt.Errorf("procsync: release %s: %w", l.path, err)
	}
	l.held = false
	l.mu.Unlock()
	<-l.gate
	return nil
}

// Close releases the lock if held and closes the lock file. Waiting
// Acquire calls return ErrClosed. Close is idempotent; the lock file stays on
// disk, since another process may be using it.
func (l *Lock) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	close(l.done)
	l.held = false
	// Closing the only descriptor of the open file description drops its
	// flock, held or not.
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("procsync: close %s: %w", l.path, err)
	}
	return nil
}

func (l *Lock) errClosed(op string) error {
	return fmt.Errorf("procsync: %s %s: %w", op, l.path, ErrClosed)
}
