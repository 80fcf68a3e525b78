package procpool

import (
	"io"
	"sync"
)

// resultWriter is a worker's side of the result pipe. Results are appended
// to a buffer and written either by the task loop itself (when it is about
// to wait for a task anyway) or by a goroutine of their own, while the next
// task runs; whatever accumulates during one write goes out in the next.
type resultWriter struct {
	out     io.Writer
	writeMu sync.Mutex // one write at a time, so results stay in order
	mu      sync.Mutex // guards buf, spare and err
	buf     []byte
	spare   []byte
	err     error
	wake    chan struct{}
	done    chan struct{}
}

func newResultWriter(out io.Writer) *resultWriter {
	w := &resultWriter{out: out, wake: make(chan struct{}, 1), done: make(chan struct{})}
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

// add queues a result; now writes it from the calling goroutine.
func (w *resultWriter) add(r resultFrame, now bool) error {
	w.mu.Lock()
	w.buf = appendResult(w.buf, r)
	err := w.err
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if now {
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
	buf := w.buf
	w.buf, w.spare = w.spare[:0], nil
	err := w.err
	w.mu.Unlock()
	if err == nil && len(buf) > 0 {
		_, err = w.out.Write(buf)
	}
	w.mu.Lock()
	w.spare = buf[:0]
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
