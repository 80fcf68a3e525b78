package procpool

import (
	"errors"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A worker's exit is noticed from the process itself, through a pidfd that
// becomes readable when it exits, and not only from the end of its result
// pipe: anything else holding the pipe's write end (a task's subprocess that
// inherited it) would otherwise hide the exit. The pidfd is waited on in the
// runtime's poller, so a worker costs a parked goroutine, not a thread.

// exitWatch watches one worker process.
type exitWatch struct {
	pidfd  *os.File // nil when pidfds are not available: EOF alone tells
	exited atomic.Bool
	done   chan struct{}
}

// watchExit starts watching pid; onExit runs once when it has exited.
func watchExit(pid int, onExit func()) *exitWatch {
	w := &exitWatch{done: make(chan struct{})}
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		close(w.done)
		return w
	}
	w.pidfd = os.NewFile(uintptr(fd), "pidfd")
	rc, err := w.pidfd.SyscallConn()
	if err != nil {
		w.pidfd.Close()
		w.pidfd = nil
		close(w.done)
		return w
	}
	go func() {
		defer close(w.done)
		err := rc.Read(func(fd uintptr) bool {
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, err := unix.Poll(pfd, 0)
			return err == nil && n > 0
		})
		if err == nil {
			w.exited.Store(true)
			onExit()
		}
	}()
	return w
}

// stop ends the watch (after the worker is reaped) and waits for it.
func (w *exitWatch) stop() {
	if w.pidfd != nil {
		w.pidfd.Close() // wakes the watching goroutine with an error
	}
	<-w.done
}

// exitAwareReader reads a worker's result pipe until its end or, once the
// worker has exited, until the pipe holds nothing more: everything the
// worker wrote is in the pipe by the time it has exited. The exit watch
// interrupts a blocked read with a deadline; reads after that do not wait.
type exitAwareReader struct {
	f        *os.File
	rc       syscall.RawConn // f's, for raw reads (rawio.go)
	w        *exitWatch
	draining bool
}

func (r *exitAwareReader) Read(p []byte) (int, error) {
	if r.rc == nil {
		rc, err := r.f.SyscallConn()
		if err != nil {
			return 0, err
		}
		r.rc = rc
	}
	if !r.draining {
		n, err := readPolled(r.rc, p)
		if !errors.Is(err, os.ErrDeadlineExceeded) || !r.w.exited.Load() {
			return n, err
		}
		r.draining = true
		r.f.SetReadDeadline(time.Time{})
	}
	var n int
	var rerr error
	if err := r.rc.Read(func(fd uintptr) bool {
		n, rerr = rawRead(fd, p)
		return true // never wait
	}); err != nil {
		return 0, err
	}
	switch {
	case n > 0:
		return n, nil
	case rerr == nil, errors.Is(rerr, syscall.EAGAIN):
		return 0, io.EOF
	default:
		return 0, rerr
	}
}
