package procpool

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// resultWriter is a worker's side of the result pipe. Results are queued
// and written by the task loop itself (in full when it is about to wait
// for a task anyway; what the pipe takes without waiting after a task
// that ran a while) and what is left by a goroutine of their own, while
// the next task runs; whatever accumulates during one write goes out in
// the next. A large
// result is not copied: it goes out from the function's own buffer, before
// the next task may touch that buffer, and one in the worker's frame
// buffer is lent to the pipe (vmsplice) until the pool has read it.
type resultWriter struct {
	out     io.Writer
	raw     syscall.RawConn // out's, when it is a file, for vectored writes
	writeMu sync.Mutex      // one write at a time, so results stay in order
	mu      sync.Mutex      // guards q, spare and err
	q       frameQueue
	spare   frameQueue
	err     error
	wake    chan struct{}
	done    chan struct{}
	// pipe: out is a pipe whose unread bytes FIONREAD tells, so a lent
	// result's release can be seen. written counts the bytes written.
	pipe    bool
	written atomic.Int64
}

func newResultWriter(out io.Writer) *resultWriter {
	w := &resultWriter{out: out, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if f, ok := out.(*os.File); ok {
		if rc, err := f.SyscallConn(); err == nil {
			w.raw = rc
			rc.Control(func(fd uintptr) {
				var st unix.Stat_t
				if unix.Fstat(int(fd), &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO {
					_, err := unix.IoctlGetInt(int(fd), unix.TIOCINQ) // FIONREAD
					w.pipe = err == nil
				}
				if fl, err := unix.FcntlInt(fd, unix.F_GETFL, 0); err == nil && fl&unix.O_NONBLOCK == 0 {
					w.q.blocking, w.spare.blocking = true, true
				}
			})
		}
	}
	go w.loop()
	return w
}

func (w *resultWriter) loop() {
	defer close(w.done)
	for range w.wake {
		if w.flush() != nil {
			return
		}
	}
}

// sendMode is how add sends a result.
type sendMode int

const (
	// sendLater leaves the result to the writer goroutine, with any that
	// pile up before it runs: short tasks' results travel in batches.
	sendLater sendMode = iota
	// sendWhatFits writes what the pipe takes from the calling goroutine
	// and leaves the rest to the writer goroutine.
	sendWhatFits
	// sendAll writes the whole queue from the calling goroutine, waiting
	// for room as needed.
	sendAll
)

// add queues a result and sends it as mode says. A result large enough to
// be sent from its own buffer is written at once, in full: the buffer may
// be the task's arguments, which the next task's frame overwrites, or one
// the function reuses. lend offers to keep the payload unchanged until
// the pool has read it; when it is taken up (a large result, on a pipe),
// end is where the result ends in the stream, and the payload stays
// unchanged until released(end); end is 0 otherwise.
func (w *resultWriter) add(r resultFrame, mode sendMode, lend bool) (end int64, err error) {
	lend = lend && w.pipe && len(r.payload) >= refMin
	w.mu.Lock()
	w.q.result(r, lend)
	err = w.err
	w.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if mode == sendAll || len(r.payload) >= refMin {
		err = w.flush()
		if lend {
			end = w.written.Load()
		}
		return end, err
	}
	if mode == sendWhatFits {
		if done, err := w.writeWhatFits(); done || err != nil {
			return 0, err
		}
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return 0, nil
}

// writeWhatFits writes, from the calling goroutine, as much of the queue as
// the pipe takes without waiting, and reports whether that was all of it;
// the writer goroutine sends the rest. On a non-blocking pipe such a write
// costs what waking the writer would, and a worker with one P would run
// the writer only once the next task yields it: a result could wait a
// whole time slice behind a prefetched task. A write under way (the
// writer goroutine's) or a blocking pipe leaves it all to the writer.
func (w *resultWriter) writeWhatFits() (done bool, err error) {
	if w.raw == nil || !w.writeMu.TryLock() {
		return false, nil
	}
	defer w.writeMu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.q.blocking {
		return false, w.err
	}
	size := w.q.len()
	err = w.q.writeNow(w.raw)
	w.written.Add(int64(size - w.q.len()))
	if err != nil {
		w.err = err
		return false, err
	}
	if w.q.len() > 0 {
		return false, nil
	}
	w.q.reset()
	return true, nil
}

// released reports whether the reader has taken every byte up to end of
// the stream: the bytes written less those still in the pipe (counted from
// the first result: the ready frame before it only makes this later to
// say yes). Unsure (not a pipe, an error), it says no.
func (w *resultWriter) released(end int64) bool {
	if !w.pipe {
		return false
	}
	// The count written is taken before the pipe's unread bytes: a write
	// landing between the two then only makes the answer no, never a yes
	// for pages still in the pipe.
	written := w.written.Load()
	unread := -1
	w.raw.Control(func(fd uintptr) {
		if n, err := unix.IoctlGetInt(int(fd), unix.TIOCINQ); err == nil { // FIONREAD
			unread = n
		}
	})
	return unread >= 0 && written-int64(unread) >= end
}

// flush writes everything queued so far.
func (w *resultWriter) flush() error {
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	w.mu.Lock()
	q := w.q
	w.q, w.spare = w.spare, frameQueue{blocking: q.blocking}
	err := w.err
	w.mu.Unlock()
	if size := q.len(); err == nil && size > 0 {
		if w.raw != nil {
			err = q.writeAll(w.raw)
		} else {
			err = q.writeTo(w.out)
		}
		w.written.Add(int64(size - q.len()))
	}
	// Written or failed, nothing of q is sent again: its buffer is free.
	q.reset()
	w.mu.Lock()
	w.spare = q
	if err != nil && w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
	return err
}

// stop ends the writer goroutine.
func (w *resultWriter) stop() {
	close(w.wake)
	<-w.done
}
