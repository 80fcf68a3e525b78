package procsync

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"golang.org/x/sys/unix"
)

// tryFlock takes an exclusive flock on fd without blocking. It reports false
// when another open file description holds the lock.
func tryFlock(fd int) (bool, error) {
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		default:
			return false, err
		}
	}
}

// flockWait takes an exclusive flock on fd, sleeping in the kernel until it
// is granted.
func flockWait(fd int) error {
	for {
		if err := unix.Flock(fd, unix.LOCK_EX); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// unflock releases the flock on fd.
func unflock(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_UN)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// The turnstile is a Linux open file description lock (fcntl F_OFD_*) on
// byte 0 of the lock file. On Linux such locks and flock locks are
// independent, so one file carries two locks: the flock, which is the lock
// itself, and the turnstile, held by the waiter first in line while it
// sleeps on the flock. A process that releases the lock and asks for it
// again finds the turnstile held and queues behind it instead of barging:
// the waiter gets in within one of its turns.
func turnstileLock(typ int16) *unix.Flock_t {
	return &unix.Flock_t{Type: typ, Whence: 0, Start: 0, Len: 1}
}

// turnstileBusy reports whether another open file description holds the
// turnstile of fd's file: whether someone is waiting for the lock.
func turnstileBusy(fd int) (bool, error) {
	lk := turnstileLock(unix.F_WRLCK)
	for {
		err := unix.FcntlFlock(uintptr(fd), unix.F_OFD_GETLK, lk)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return err == nil && lk.Type != unix.F_UNLCK, err
	}
}

// queueAndFlock waits in line for the flock on fd: it takes the turnstile,
// sleeping in the kernel until it is free, then the flock, then lets the
// turnstile go to the next in line. Without write access to the file (the
// turnstile is a write lock) it waits on the flock alone.
func queueAndFlock(fd int, writable bool) error {
	if !writable {
		return flockWait(fd)
	}
	for {
		err := unix.FcntlFlock(uintptr(fd), unix.F_OFD_SETLKW, turnstileLock(unix.F_WRLCK))
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
	err := flockWait(fd)
	for {
		uerr := unix.FcntlFlock(uintptr(fd), unix.F_OFD_SETLK, turnstileLock(unix.F_UNLCK))
		if !errors.Is(uerr, unix.EINTR) {
			return errors.Join(err, uerr)
		}
	}
}

// Backoff bounds for the Semaphore's waits. A semaphore waiter wants any of
// n slots, which no single blocking flock can wait for, so it polls with
// LOCK_NB: a wake-up latency of at most maxBackoff after a release, and no
// order among waiters.
const (
	minBackoff = 20 * time.Microsecond
	maxBackoff = 2 * time.Millisecond
)

// wait calls try until it succeeds or fails, sleeping with exponential
// backoff and jitter in between. It returns ctx.Err() when ctx ends first and
// errClosed when done is closed first.
func wait(ctx context.Context, done <-chan struct{}, errClosed error, try func() (bool, error)) error {
	delay := minBackoff
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		ok, err := try()
		if err != nil || ok {
			return err
		}
		// Jitter in [delay/2, delay) keeps waiters in several processes
		// from polling in lock step.
		d := delay/2 + rand.N(delay/2+1)
		if timer == nil {
			timer = time.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return errClosed
		case <-timer.C:
		}
		delay = min(2*delay, maxBackoff)
	}
}
