package procpool

import "time"

// Close stops the pool taking new tasks. Tasks already submitted still run;
// the workers exit once they are done. Call Join to wait for that.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == stateRunning {
		p.state = stateClosed
		p.dispatchLocked()
	}
}

// Terminate kills the workers at once and waits until they are reaped.
// Tasks not yet done fail with ErrTerminated (their error callbacks run).
func (p *Pool) Terminate() {
	p.mu.Lock()
	if p.state == stateTerminated {
		p.mu.Unlock()
		p.procWG.Wait()
		return
	}
	p.state = stateTerminated
	now := time.Now()
	for _, a := range p.queue {
		a.result.Err = ErrTerminated
		a.result.Delivered = now
	}
	queued := p.queue
	p.queue = nil
	procs := make([]*proc, 0, len(p.procs))
	for _, pr := range p.procs {
		procs = append(procs, pr)
	}
	// Queued before anything can release a Join waiting in another
	// goroutine (a cancelled retry, a worker's own exit), which must find
	// them.
	p.handler.push(queued...)
	p.cancelRetriesLocked()
	p.mu.Unlock()
	for _, pr := range procs {
		pr.kill(ErrTerminated, 0)
	}
	p.procWG.Wait()
	// Nothing is left to deliver but what the handler holds: let its
	// goroutine, and the watchdog's, end, so that a pool terminated
	// without Join leaves nothing running.
	p.stopBackground()
}

// stopBackground ends the pool's own goroutines once every worker has been
// reaped; the result handler ends once it has delivered what it holds.
func (p *Pool) stopBackground() {
	p.stopOnce.Do(func() {
		if p.watchdog != nil {
			close(p.watchdog)
		}
		p.handler.finish()
		p.starter.Release()
	})
}

// Join waits for the workers to exit and for every result to be delivered,
// callbacks included. It must follow Close or Terminate: before them it
// returns ErrPoolRunning, as Python raises ValueError. Do not call it from a
// callback: it waits for the goroutine that runs callbacks.
func (p *Pool) Join() error {
	p.mu.Lock()
	running := p.state == stateRunning
	p.mu.Unlock()
	if running {
		return ErrPoolRunning
	}
	p.procWG.Wait()
	p.stopBackground()
	<-p.handler.exited
	return nil
}
