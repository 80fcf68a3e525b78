package procpool

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
		finished := pr.closing && !pr.writing && pr.out.len() == 0
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
// gone; the reader will see it and clean up). A submitter leaves a dead
// worker's frames to the writer goroutine, which die waits for: a write of
// its own could still touch the pipe (its growth) as die gives it back.
func (pr *proc) flush(wait bool) bool {
	p := pr.pool
	p.mu.Lock()
	if pr.writing || pr.out.len() == 0 || (!wait && pr.dead) {
		p.mu.Unlock()
		return true
	}
	pr.writing = true
	q := pr.out
	pr.out, pr.spare = pr.spare, frameQueue{}
	p.mu.Unlock()
	if q.len() > pipeDefault {
		pr.taskPipe.grow(pr.taskW)
	}
	var err error
	if wait {
		err = q.writeAll(pr.taskRaw)
	} else {
		err = q.writeNow(pr.taskRaw)
	}
	p.mu.Lock()
	pr.writing = false
	if err == nil && q.len() > 0 {
		// The rest goes first, ahead of what was queued meanwhile; its
		// buffer stays with it until it is written.
		q.adopt(&pr.out)
		pr.out = q
	} else {
		q.reset()
		pr.spare = q
	}
	more := pr.out.len() > 0 || pr.closing
	p.mu.Unlock()
	if more {
		pr.signal()
	}
	return err == nil
}
