package procpool

import (
	"errors"
	"io"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// frameQueue holds frames waiting to be written to a pipe as segments for
// one writev: headers and small bodies are copied into one buffer, large
// arguments and results are referenced where they lie. A megabyte task is
// then never copied on its way to the kernel: copying it into a frame
// buffer cost as much as the pipe itself.
type frameQueue struct {
	segs [][]byte
	// lent[i]: segs[i] is a body that stays unchanged until its task is
	// done, so it may be lent to the pipe (vmsplice) rather than copied.
	lent []bool
	buf  []byte // backing store of the copied segments
	// tail: the last segment ends at len(buf), so copied bytes extend it.
	tail bool
	size int
	// blocking: the descriptor is in blocking mode, so a splice waits for
	// room as a write does (a worker's result pipe in a test); kept by
	// reset.
	blocking bool
	iov      []unix.Iovec // scratch for writev's vectors
}

// refMin is the size from which a body is referenced rather than copied:
// below it, an iovec of its own costs more than the copy.
const refMin = 16 << 10

// maxIovecs bounds the segments of one writev (IOV_MAX on Linux).
const maxIovecs = 1024

func (q *frameQueue) len() int { return q.size }

// copyIn appends b to the queue by copying it.
func (q *frameQueue) copyIn(b []byte) {
	at, before := q.tailStart(), len(q.buf)
	q.buf = append(q.buf, b...)
	q.tailEnd(at, before)
}

// task appends a task (or init) frame. The arguments are the pool's own
// copy, or the caller's lent ones (LendArgs), unchanged until the task is
// done either way: a large one is lent to the pipe.
func (q *frameQueue) task(kind byte, id uint64, fn string, args []byte) {
	at, before := q.tailStart(), len(q.buf)
	q.buf = appendTaskHead(q.buf, kind, id, fn, len(args))
	q.tailEnd(at, before)
	q.body(args, true)
}

// result appends a result frame; lend says its payload stays unchanged
// until the reader has taken it, so a large one may be lent to the pipe.
func (q *frameQueue) result(r resultFrame, lend bool) {
	at, before := q.tailStart(), len(q.buf)
	q.buf = appendResultHead(q.buf, r)
	q.tailEnd(at, before)
	q.body(r.payload, lend)
}

// tailStart opens the copied segment at the end of the queue, if it is not
// open yet, and returns where in buf it starts.
func (q *frameQueue) tailStart() int {
	if !q.tail {
		q.segs = append(q.segs, nil)
		q.lent = append(q.lent, false)
		q.tail = true
	}
	return len(q.buf) - len(q.segs[len(q.segs)-1])
}

// tailEnd extends the copied segment over what was appended to buf since
// before. buf may have moved: segments before the tail keep the old array,
// which nothing writes to again.
func (q *frameQueue) tailEnd(at, before int) {
	q.segs[len(q.segs)-1] = q.buf[at:len(q.buf):len(q.buf)]
	q.size += len(q.buf) - before
}

// body appends a frame's body: referenced when large, copied otherwise.
// A referenced body must not change until it has been written; a lent one
// until the reader has read it.
func (q *frameQueue) body(b []byte, lend bool) {
	if len(b) < refMin {
		q.copyIn(b)
		return
	}
	q.segs = append(q.segs, b)
	q.lent = append(q.lent, lend)
	q.tail = false
	q.size += len(b)
}

// adopt moves the segments of o behind those of q; o's buffer then belongs
// to q's segments and o must not be reused.
func (q *frameQueue) adopt(o *frameQueue) {
	q.segs = append(q.segs, o.segs...)
	q.lent = append(q.lent, o.lent...)
	q.size += o.size
	q.tail = false
	*o = frameQueue{}
}

// consume drops the first n bytes, which have been written.
func (q *frameQueue) consume(n int) {
	q.size -= n
	i := 0
	for ; i < len(q.segs) && n >= len(q.segs[i]); i++ {
		n -= len(q.segs[i])
		q.segs[i] = nil
	}
	q.segs, q.lent = q.segs[i:], q.lent[i:]
	if len(q.segs) > 0 && n > 0 {
		q.segs[0] = q.segs[0][n:]
	}
	if len(q.segs) == 0 {
		q.tail = false
	}
}

// reset empties a queue whose every byte has been written, keeping its
// buffer for the next frames and dropping its references to bodies.
func (q *frameQueue) reset() {
	clear(q.segs)
	q.segs, q.lent, q.buf, q.tail, q.size = q.segs[:0], q.lent[:0], q.buf[:0], false, 0
}

// writev makes one vectored write of the queue's first segments to fd: a
// lent segment is spliced into the pipe, the pipe then holding its pages,
// and the others copied.
//
// On a non-blocking descriptor the calls are raw (rawio.go); a blocking
// one may wait, so its calls are the scheduler's ordinary ones, as they
// all are under the race detector, which sees the bytes only those read.
func (q *frameQueue) writev(fd uintptr) (int, error) {
	ordinary := q.blocking || raceBuild
	if q.lent[0] && !noSplice.Load() {
		iov := q.iovecs(q.segs[:1])
		var n int
		var err error
		switch {
		case q.blocking:
			n, err = unix.Vmsplice(int(fd), iov, 0)
		case ordinary:
			n, err = unix.Vmsplice(int(fd), iov, unix.SPLICE_F_NONBLOCK)
		default:
			n, err = rawVmsplice(fd, iov)
		}
		clear(iov) // the vectors must not keep written bodies alive
		if !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOSYS) && !errors.Is(err, syscall.EPERM) {
			return n, err // written, no room yet, or a real failure (EPIPE)
		}
		// Not a pipe, or vmsplice is not allowed here: copy from now on.
		noSplice.Store(true)
	}
	segs := q.segs
	end := 1
	for end < len(segs) && end < maxIovecs && (!q.lent[end] || noSplice.Load()) {
		end++
	}
	switch {
	case ordinary && end == 1:
		return unix.Write(int(fd), segs[0])
	case ordinary:
		return unix.Writev(int(fd), segs[:end])
	case end == 1:
		return rawWrite(fd, segs[0])
	}
	iov := q.iovecs(segs[:end])
	n, err := rawWritev(fd, iov)
	clear(iov)
	return n, err
}

// iovecs describes segs for a vectored call, in a slice the queue reuses;
// the caller clears it after the call, so that a queue that is reset holds
// no body through it.
func (q *frameQueue) iovecs(segs [][]byte) []unix.Iovec {
	q.iov = q.iov[:0]
	for _, s := range segs {
		if len(s) == 0 {
			continue
		}
		v := unix.Iovec{Base: &s[0]}
		v.SetLen(len(s))
		q.iov = append(q.iov, v)
	}
	return q.iov
}

// noSplice is set once vmsplice has failed other than for want of room.
var noSplice atomic.Bool

// writeNow writes what the pipe takes without waiting for room and drops
// it from the queue.
func (q *frameQueue) writeNow(rc syscall.RawConn) error {
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		for q.size > 0 {
			var n int
			n, werr = q.writev(fd)
			if n > 0 {
				q.consume(n)
			}
			if werr != nil || n == 0 {
				break
			}
		}
		return true // never wait for room
	}); err != nil {
		return err
	}
	if errors.Is(werr, syscall.EAGAIN) || errors.Is(werr, syscall.EINTR) {
		return nil
	}
	return werr
}

// writeAll writes the whole queue to rc, waiting for room as needed (as
// long as the descriptor's deadline allows), and drops what was written.
func (q *frameQueue) writeAll(rc syscall.RawConn) error {
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		for q.size > 0 {
			var n int
			n, werr = q.writev(fd)
			if n > 0 {
				q.consume(n)
			}
			switch {
			case errors.Is(werr, syscall.EINTR):
				werr = nil
			case errors.Is(werr, syscall.EAGAIN):
				werr = nil
				return false // wait for room
			case werr != nil:
				return true
			}
		}
		return true
	}); err != nil {
		return err
	}
	return werr
}

// writeTo writes the whole queue to w one segment at a time: for a writer
// that is not a file (a worker served in a test).
func (q *frameQueue) writeTo(w io.Writer) error {
	for q.size > 0 {
		n, err := w.Write(q.segs[0])
		q.consume(n)
		if err != nil {
			return err
		}
	}
	return nil
}
