package procpool

import (
	"io"
	"os"
	"sync"
	"syscall"
)

// resultWriter is a worker's side of the result pipe. Results are queued
// and written either by the task loop itself (when it is about to wait for
// a task anyway) or by a goroutine of their own, while the next task runs;
// whatever accumulates during one write goes out in the next. A large
// result is not copied: it goes out from the function's own buffer, before
// the next task may touch that buffer.
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
}

func newResultWriter(out io.Writer) *resultWriter {
	w := &resultWriter{out: out, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if f, ok := out.(*os.File); ok {
		if rc, err := f.SyscallConn(); err == nil {
			w.raw = rc
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

// add queues a result; now writes it from the calling goroutine. A result
// large enough to be sent from its own buffer is written at once too: the
// buffer may be the task's arguments, which the next task's frame
// overwrites, or one the function reuses.
func (w *resultWriter) add(r resultFrame, now bool) error {
	w.mu.Lock()
	w.q.result(r)
	err := w.err
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if now || len(r.payload) >= refMin {
		return w.flush()
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return nil
}

// flush writes everything queued so far.
func (w *resultWriter) flush() error {
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	w.mu.Lock()
	q := w.q
	w.q, w.spare = w.spare, frameQueue{}
	err := w.err
	w.mu.Unlock()
	if err == nil && q.len() > 0 {
		if w.raw != nil {
			err = q.writeAll(w.raw)
		} else {
			err = q.writeTo(w.out)
		}
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
