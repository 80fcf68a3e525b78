package procpool

func (pr *proc) signal() {
	select {
	case pr.wake <- struct{}{}:
	default:
	}
}

// writeLoop sends queued frames in as few writes as it can: whatever piles
// up while a write is in progress goes out in the next one. A submitter may
// also write inline (flushInline), which saves a goroutine hand-off on the
// Apply round trip; the writing flag keeps the two from overlapping.
func (pr *proc) writeLoop() {
	defer close(pr.wrote)
	defer pr.taskW.Close()
	for range pr.wake {
		if !pr.flush() {
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

// flush writes what is queued unless a write is already under way. It
// reports false when the pipe is broken (the worker is gone; the reader will
// see it and clean up).
func (pr *proc) flush() bool {
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
	_, err := pr.taskW.Write(buf)
	p.mu.Lock()
	pr.writing = false
	pr.spare = buf[:0]
	more := len(pr.out) > 0 || pr.closing
	p.mu.Unlock()
	if more {
		pr.signal()
	}
	return err == nil
}
