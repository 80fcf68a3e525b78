package procsync

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// A blocking flock cannot be interrupted from Go: the runtime installs its
// signal handlers with SA_RESTART, under which the kernel restarts an
// interrupted flock(2) or F_OFD_SETLKW, and closing the descriptor does not
// wake a thread waiting on it. So the wait runs on a goroutine of its own,
// on its own duplicate of the descriptor (the same open file description,
// so whatever it is granted, the Lock holds), and an Acquire that is
// cancelled abandons it: when the kernel grants the abandoned wait, it lets
// the lock go at once, unless this Lock has meanwhile taken it by
// TryAcquire, and ends. It never keeps the lock for a caller that
// has gone, and it ends as soon as the lock is next free. Meanwhile the
// next Acquire on the same Lock takes it over rather than start another, so
// a Lock has at most one.

// kernelWait is one wait for the lock in the kernel.
type kernelWait struct {
	result chan error // the wait's outcome, unless abandoned
	// abandoned is set, under the Lock's mu, when nobody waits for the
	// outcome any more.
	abandoned bool
}

// tryOrQueue takes the lock at once if it is free and nobody is queued for
// it; otherwise it returns a wait to receive from, started here or taken
// over from a cancelled Acquire. The caller holds the gate token.
func (l *Lock) tryOrQueue() (bool, *kernelWait, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.pending; w != nil && !l.closed {
		w.abandoned = false
		return false, w, nil
	}
	ok, err := l.tryLocked(true)
	if err != nil || ok {
		return ok, nil, err
	}
	fd, err := unix.Dup(l.fd)
	if err != nil {
		return false, nil, fmt.Errorf("procsync: acquire %s: %w", l.path, err)
	}
	unix.CloseOnExec(fd)
	w := &kernelWait{result: make(chan error, 1)}
	l.pending = w
	go l.waitInKernel(w, fd, l.writable)
	return false, w, nil
}

// waitInKernel queues for the flock on fd, a duplicate it owns and closes,
// and hands the outcome to whoever still waits for it.
func (l *Lock) waitInKernel(w *kernelWait, fd int, writable bool) {
	err := queueAndFlock(fd, writable)
	l.mu.Lock()
	if w.abandoned {
		// Granted to nobody: let it go, unless a TryAcquire took the
		// lock on this open file description meanwhile (the kernel then
		// grants this wait at once, as the description holds it already).
		if err == nil && !l.held {
			unflock(fd)
		}
		if l.pending == w {
			l.pending = nil
		}
	} else {
		w.result <- err
	}
	l.mu.Unlock()
	unix.Close(fd)
}

// abandon gives up on w for a cancelled Acquire. If w had already been
// granted the lock, the lock is let go here.
func (l *Lock) abandon(w *kernelWait) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case err := <-w.result:
		if l.pending == w {
			l.pending = nil
		}
		if err == nil && !l.closed {
			unflock(l.fd)
		}
	default:
		w.abandoned = true
	}
}

// granted takes w's outcome, err, for the Acquire that waited for it. It
// reports true with the lock held; false, with the lock let go and the path
// opened again, when the file had been removed or replaced meanwhile.
func (l *Lock) granted(w *kernelWait, err error) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == w {
		l.pending = nil
	}
	if err != nil {
		return false, fmt.Errorf("procsync: acquire %s: %w", l.path, err)
	}
	if l.closed {
		// Close came first; closing the file let the flock go.
		return false, l.errClosed("acquire")
	}
	return l.confirm()
}
