package procsync

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
)

// Lock is an exclusive lock shared by processes through a lock file, like
// Python's multiprocessing.Lock. While one Lock holds it, an Acquire through
// any other Lock on the same path, in this process or another, waits.
//
// A Lock is safe for concurrent use by goroutines: they take turns on it as
// on a sync.Mutex, and, as with Python's Lock, any goroutine may release it.
// The kernel releases the lock if the holding process dies.
//
// Waiters sleep in the kernel and queue (see queueAndFlock): a holder that
// releases and at once asks again goes behind the waiter first in line
// rather than taking the lock back.
//
// Two Lock values of one process on one file exclude each other, and the
// race detector sees that: Release and Acquire synchronise through a
// per-file counter in this process, so data handed over under the lock is
// not reported as a race.
type Lock struct {
	path string
	// gate serialises the goroutines of this process that share this value:
	// flock alone would let a second goroutine "acquire" a lock this open
	// file description already holds. A token in gate is a claim on the
	// value; the flock is the claim across processes.
	gate chan struct{}
	done chan struct{} // closed by Close, to wake waiters

	mu       sync.Mutex // guards the fields below
	f        *os.File
	fd       int
	writable bool           // f is open for writing: the turnstile can be used
	id       fileID         // f's identity
	sync     *atomic.Uint64 // the race detector's edge for id; see syncs
	pending  *kernelWait    // a wait in the kernel not yet over
	held     bool
	closed   bool
}

// NewLock opens the lock file at path, creating it (mode 0644, less the
// umask) if needed. The file's content is never touched; only its locks are
// used. A user who may only read the file can share it too, waiting on the
// flock without the turnstile's queue.
func NewLock(path string) (*Lock, error) {
	if path == "" {
		return nil, fmt.Errorf("procsync: new lock: empty path")
	}
	l := &Lock{path: path, gate: make(chan struct{}, 1), done: make(chan struct{})}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

// open opens the file at l.path into l; the caller holds l.mu or owns l.
func (l *Lock) open() error {
	writable := true
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrPermission) {
		writable = false
		f, err = os.Open(l.path)
	}
	if err != nil {
		return fmt.Errorf("procsync: open lock %s: %w", l.path, err)
	}
	fd := int(f.Fd())
	id, err := fdID(fd)
	if err != nil {
		f.Close()
		return fmt.Errorf("procsync: open lock %s: %w", l.path, err)
	}
	l.f, l.fd, l.writable, l.id, l.sync = f, fd, writable, id, syncPoint(id)
	return nil
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
	for {
		// Take the lock at once if it is free and nobody is queued for it.
		ok, w, err := l.tryOrQueue()
		if err != nil || ok {
			if err != nil {
				<-l.gate
			}
			return err
		}
		var werr error
		select {
		case werr = <-w.result:
		case <-ctx.Done():
			l.abandon(w)
			<-l.gate
			return ctx.Err()
		case <-l.done:
			l.abandon(w)
			<-l.gate
			return l.errClosed("acquire")
		}
		ok, err = l.granted(w, werr)
		if err != nil {
			<-l.gate
			return err
		}
		if ok {
			return nil
		}
		// The file had been replaced: granted opened the new one; again.
	}
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
	l.mu.Lock()
	ok, err := l.tryLocked(false)
	l.mu.Unlock()
	if !ok {
		<-l.gate
	}
	return ok, err
}

// tryLocked takes the flock if it is free, on the file now at the path; with
// polite set, only if no waiter is queued for it either. The caller holds
// the gate token and l.mu.
func (l *Lock) tryLocked(polite bool) (bool, error) {
	if l.closed {
		return false, l.errClosed("acquire")
	}
	for {
		if polite && l.writable {
			busy, err := turnstileBusy(l.fd)
			if err != nil {
				return false, fmt.Errorf("procsync: acquire %s: %w", l.path, err)
			}
			if busy {
				return false, nil
			}
		}
		ok, err := tryFlock(l.fd)
		if err != nil {
			return false, fmt.Errorf("procsync: acquire %s: %w", l.path, err)
		}
		if !ok {
			return false, nil
		}
		if ok, err := l.confirm(); ok || err != nil {
			return ok, err
		}
	}
}

// confirm is called with the flock just granted and l.mu held. If the file
// is still the one at the path, it marks the lock held and reports true;
// otherwise it lets the lock go and opens the path again.
func (l *Lock) confirm() (bool, error) {
	id, ok, err := pathID(l.path)
	if err != nil {
		unflock(l.fd)
		return false, fmt.Errorf("procsync: acquire %s: %w", l.path, err)
	}
	if ok && id == l.id {
		l.held = true
		l.sync.Load() // the race detector's edge from the last Release
		return true, nil
	}
	// Removed or replaced while we waited: this flock excludes no one.
	uerr := unflock(l.fd)
	cerr := l.f.Close()
	if err := errors.Join(uerr, cerr); err != nil {
		return false, fmt.Errorf("procsync: acquire %s: drop a replaced lock file: %w", l.path, err)
	}
	return false, l.open()
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
	l.sync.Add(1) // the race detector's edge to the next Acquire
	if err := unflock(l.fd); err != nil {
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
	if l.pending != nil {
		l.pending.abandoned = true
	}
	// Closing the descriptor drops the flock, held or not, unless a
	// cancelled wait still holds the open file description: that wait
	// lets the lock go when the kernel grants it.
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("procsync: close %s: %w", l.path, err)
	}
	return nil
}

func (l *Lock) errClosed(op string) error {
	return fmt.Errorf("procsync: %s %s: %w", op, l.path, ErrClosed)
}
