package procpool

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// kill ends the worker at once; cause says why, for the failed task's error.
func (pr *proc) kill(cause error) {
	p := pr.pool
	p.mu.Lock()
	if pr.killCause == nil {
		pr.killCause = cause
	}
	p.mu.Unlock()
	pr.cmd.Process.Kill() // an error means it has already gone, which is fine
}

// die reaps the worker and settles its tasks: during Terminate they fail
// with ErrTerminated; otherwise the one it was running fails with an error
// naming its pid and exit status, the ones queued behind it go back to the
// pool's queue, and a replacement starts if there is work for it.
func (pr *proc) die(readErr error) {
	p := pr.pool
	p.mu.Lock()
	pr.dead = true
	pr.closing = true
	p.procs = slices.DeleteFunc(p.procs, func(q *proc) bool { return q == pr })
	inflight := pr.inflight
	pr.inflight = nil
	p.mu.Unlock()
	if len(inflight) > 0 || !errors.Is(readErr, errEOF) {
		// It has not finished of its own accord: make sure it ends, before
		// waiting for the writer, which may be blocked on a full task pipe
		// that this worker no longer reads.
		pr.cmd.Process.Kill()
	}
	pr.signal()
	<-pr.wrote
	pr.resR.Close()
	pr.cmd.Wait()
	state := pr.cmd.ProcessState
	running, _ := pr.current.get()
	pr.current.close()
	// pr.wake is never closed: a submitter may still signal it after a
	// failed write; the writer goroutine has already returned.

	var failed []*AsyncResult
	p.mu.Lock()
	cause := readErr
	if pr.killCause != nil {
		cause = pr.killCause
	}
	switch {
	case len(inflight) == 0:
	case p.state == stateTerminated:
		now := time.Now()
		for _, a := range inflight {
			a.result.Err = ErrTerminated
			a.result.Delivered = now
		}
		failed = inflight
	default:
		// Blame the task the worker said it was running; the others go
		// back to the queue: those before it finished, but their results
		// died unsent with the worker, and those after it never started.
		at := slices.IndexFunc(inflight, func(a *AsyncResult) bool { return a.id == running })
		if at < 0 {
			at = 0 // it died between tasks: blame the next, or it could loop
		}
		dead := inflight[at]
		dead.result.Err = &WorkerDiedError{PID: pr.pid, Func: dead.task.Func, State: state, Cause: cause}
		dead.result.WorkerPID = pr.pid
		dead.result.Delivered = time.Now()
		failed = []*AsyncResult{dead}
		retry := slices.Delete(slices.Clone(inflight), at, at+1)
		p.queue = append(retry, p.queue...)
	}
	if !pr.isReady {
		p.startFails++
	}
	replace := p.state != stateTerminated && (p.state == stateRunning || len(p.queue) > 0) && p.mayReplaceLocked(cause)
	p.dispatchLocked()
	p.mu.Unlock()
	if replace {
		// Started before the failed task is delivered, so that whoever
		// sees a task fail with its worker sees the replacement among the
		// pool's workers and spawns.
		p.startReplacement()
	}
	p.handler.push(failed...)
	p.procWG.Done()
}

// mayReplaceLocked reports whether a worker may be started in place of one
// that ended. After three starts in a row fail, the pool is broken: queued
// tasks fail with the start error instead of waiting forever for a worker
// that will never come.
func (p *Pool) mayReplaceLocked(cause error) bool {
	if p.startFails >= 3 {
		p.broken = fmt.Errorf("%d worker starts failed in a row, the last: %w", p.startFails, cause)
		if len(p.procs) == 0 {
			p.failQueueLocked(p.broken)
		}
		return false
	}
	p.replaced++
	return true
}

// startReplacement starts a worker in place of one that ended.
func (p *Pool) startReplacement() {
	_, err := p.startProc()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.startFails++
		if len(p.procs) == 0 && p.state != stateTerminated {
			// Nothing left to run the queue: fail it rather than let
			// it wait for a worker that cannot start.
			p.broken = fmt.Errorf("start replacement worker: %w", err)
			p.failQueueLocked(p.broken)
		}
	}
	p.dispatchLocked()
}

// failQueueLocked fails every task not yet sent to a worker.
func (p *Pool) failQueueLocked(err error) {
	now := time.Now()
	for _, a := range p.queue {
		a.result.Err = err
		a.result.Delivered = now
	}
	q := p.queue
	p.queue = nil
	p.handler.push(q...)
}
