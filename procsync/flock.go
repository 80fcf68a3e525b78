package procsync

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"golang.org/x/sys/unix"
)

// Backoff bounds for waiting on a held lock. A blocking flock(2) cannot be
// interrupted by a context: the thread sleeps in the kernel until the lock is
// granted. Doing it in a helper goroutine would leave that goroutine, and
// possibly a lock acquired for a caller that has gone, behind every cancelled
// call. Waiters therefore poll with LOCK_NB. The price is a wake-up latency of
// at most maxBackoff after a release and no FIFO fairness between waiters;
// the gain is that a cancelled Acquire returns at once, owns nothing and
// leaves no goroutine behind.
const (
	minBackoff = 20 * time.Microsecond
	maxBackoff = 2 * time.Millisecond
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

// unflock releases the flock on fd.
func unflock(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_UN)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

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
