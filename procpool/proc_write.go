package procpool

import (
	"errors"
	"syscall"
)

func (pr *proc) signal() {
	select {
	case pr.wake <- struct{}{}:
	default:
	}
}

// writeLoop sends queued frames in as few writes as it can: whatever piles
// up while a write is in progress goes out in the next one. A submitter may
// also write inline (flush(false)), which saves a goroutine hand-off on the
// Apply round trip; the writing flag keeps the two from overlapping.
func (pr *proc) writeLoop() {
	defer close(pr.wrote)
	defer pr.taskW.Close()
	for range pr.wake {
		if !pr.flush(true) {
			return
		}
		p := pr.pool
		p.mu.Lock()
		finished := pr.closing && !pr.writing && len(pr.out) == 0
		p.mu.Unlock()
		if finished {
			return
		}
	}
}

// flush writes what is queued unless a write is already under way. With
// wait false it writes only what the pipe takes at once and leaves the rest
// to the writer goroutine: a submitter must never block behind a worker
// busy with a long task (its context would go unheeded and the other
// workers unfed). It reports false when the pipe is broken (the worker is
// gone; the reader will see it and clean up).
func (pr *proc) flush(wait bool) bool {
	p := pr.pool
	p.mu.Lock()
	if pr.writing || len(pr.out) == 0 {
		p.mu.Unlock()
		return true
	}
	pr.writing = true
	buf := pr.out
	pr.out = pr.spare[:0]
	p.mu.Unlock()
	var n int
	var err error
	if wait {
		n, err = pr.taskW.Write(buf)
	} else {
		n, err = pr.writeNow(buf)
	}
	p.mu.Lock()
	pr.writing = false
	if err == nil && n < len(buf) {
		// The rest goes first, ahead of what was queued meanwhile.
		rest := make([]byte, 0, len(buf)-n+len(pr.out))
		pr.out = append(append(rest, buf[n:]...), pr.out...)
	}
	pr.spare = buf[:0]
	more := len(pr.out) > 0 || pr.closing
	p.mu.Unlock()
	if more {
		pr.signal()
	}
	return err == nil
}

// writeNow makes one non-blocking write: it returns 0 and no error when
// the pipe is full.
func (pr *proc) writeNow(buf []byte) (int, error) {
	var n int
	var werr error
	if err := pr.taskRaw.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), buf)
		return true // never wait for room
	}); err != nil {
		return 0, err
	}
	if errors.Is(werr, syscall.EAGAIN) {
		return 0, nil
	}
	return max(n, 0), werr
}
