package procpool

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// kill ends the worker at once; cause says why. task, when not 0, is the one
// task the cause is about (a task timeout): no other task is blamed with it.
func (pr *proc) kill(cause error, task uint64) {
	p := pr.pool
	p.mu.Lock()
	if pr.killCause == nil {
		pr.killCause, pr.killTask = cause, task
	}
	p.mu.Unlock()
	pr.cmd.Process.Kill() // an error means it has already gone, which is fine
}

// die reaps the worker and settles its tasks: during Terminate they fail
// with ErrTerminated; otherwise the ones it had finished but whose results
// died with it and the one it was running fail with an error naming its pid
// and exit status, the ones it had not started go back to the pool's
// queue, and a replacement starts if there is work for it.
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
		// It has not finished of its own accord: make sure it ends.
		pr.cmd.Process.Kill()
	}
	// The writer may be blocked on a full task pipe that nobody will read
	// (a subprocess may hold its read end): release it.
	pr.taskW.SetWriteDeadline(time.Now())
	pr.signal()
	<-pr.wrote
	pr.resR.Close()
	pr.cmd.Wait()
	// Both pipes are closed at both ends now (the writer has closed
	// taskW, the worker has exited): their growth is free again.
	pr.taskPipe.release()
	pr.resPipe.release()
	pr.watch.stop()
	state := pr.cmd.ProcessState
	pr.stderr.flush()
	if line := pr.stderr.abortLine(); line != "" {
		// The runtime aborted it at the thread limit: say so.
		readErr = fmt.Errorf("%w: %s", readErr, line)
	}
	// The worker is gone: its page is final.
	running, _ := pr.current.get()
	lastDone := pr.current.lastFinished()
	pr.current.close()
	// pr.wake is never closed: a submitter may still signal it after a
	// failed write; the writer goroutine has already returned.

	p.mu.Lock()
	var failed []*AsyncResult
	if p.state == stateTerminated {
		now := time.Now()
		for _, a := range inflight {
			a.result.Err = ErrTerminated
			a.result.Delivered = now
		}
		failed = inflight
	} else {
		var retry []*AsyncResult
		failed, retry = pr.blame(inflight, running, lastDone, readErr, state)
		p.queue = append(retry, p.queue...)
	}
	wantMore := p.state != stateTerminated && (p.state == stateRunning || len(p.queue) > 0) && !p.cfg.noRespawn
	startNow := false
	if !pr.isReady {
		p.startFails++
		if wantMore {
			// The handshake's error names the worker, and the pool's
			// cause where the pool killed it.
			p.startFailedLocked(readErr)
		}
	} else {
		startNow = wantMore
	}
	p.dispatchLocked()
	if p.cfg.noRespawn && p.state != stateTerminated && !p.canTakeTasksLocked() {
		p.failQueueLocked(ErrNoWorkers)
	}
	p.mu.Unlock()
	if startNow {
		// Started before the failed tasks are delivered, so that whoever
		// sees a task fail with its worker sees the replacement among the
		// pool's workers and spawns.
		p.startReplacement()
	}
	p.handler.push(failed...)
	p.procWG.Done()
}

// blame sorts a dead worker's tasks, in the order it runs them, by what its
// shared page says: those up to the last it finished (their results died
// unsent) and the one it was running fail; the rest never started and are
// retried. No task that started is ever run again.
func (pr *proc) blame(inflight []*AsyncResult, running, lastDone uint64, readErr error, state *os.ProcessState) (failed, retry []*AsyncResult) {
	index := func(id uint64) int {
		if id == 0 {
			return -1
		}
		return slices.IndexFunc(inflight, func(a *AsyncResult) bool { return a.id == id })
	}
	finishedTo := index(lastDone)
	// A result frame over the limit names its task, which had finished.
	var oe *oversizeError
	if errors.As(readErr, &oe) {
		finishedTo = max(finishedTo, index(oe.id))
	}
	runningAt := index(running)
	now := time.Now()
	for i, a := range inflight {
		if i > finishedTo && i != runningAt {
			if i > runningAt {
				retry = append(retry, a)
			}
			continue
		}
		a.result.Err = &WorkerDiedError{PID: pr.pid, Func: a.funcName(), State: state, Cause: pr.causeFor(a.id, readErr), Finished: i <= finishedTo}
		a.result.WorkerPID = pr.pid
		a.result.Delivered = now
		failed = append(failed, a)
	}
	return failed, retry
}

// causeFor is why task id's worker died, as far as the pool knows: a
// timeout kill is that one task's cause only (the late task may have
// finished as the kill was sent, and the kill hit the next one).
func (pr *proc) causeFor(id uint64, readErr error) error {
	switch {
	case pr.killCause == nil:
		return readErr
	case pr.killTask == 0 || pr.killTask == id:
		return pr.killCause
	default:
		return fmt.Errorf("the pool killed the worker: task %d ran past its timeout", pr.killTask)
	}
}

// Worker starts that fail are retried with a growing delay, for as long as
// the pool wants workers; with no worker alive, maxStartFails failures in a
// row break the pool: queued tasks fail and submissions are refused, rather
// than wait for a worker that will never come.
const (
	maxStartFails   = 3
	startBackoff    = 10 * time.Millisecond
	maxStartBackoff = time.Second
)

// canTakeTasksLocked reports whether a worker is left that may still take
// tasks from the queue: one not closing (retiring, or done once the queue
// drained after Close), ready or still starting.
func (p *Pool) canTakeTasksLocked() bool {
	for _, pr := range p.procs {
		if !pr.closing {
			return true
		}
	}
	return false
}

// startReplacement starts a worker in place of one that ended.
func (p *Pool) startReplacement() {
	p.mu.Lock()
	terminated := p.state == stateTerminated
	p.mu.Unlock()
	if terminated {
		return
	}
	_, err := p.startProc()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if !errors.Is(err, ErrPoolClosed) {
			p.startFails++
			p.startFailedLocked(err)
		}
		return
	}
	p.replaced++
	p.dispatchLocked()
}

// startFailedLocked follows a failed start: retry later, or, with no
// worker alive after maxStartFails failures, break the pool.
func (p *Pool) startFailedLocked(err error) {
	if p.state == stateTerminated {
		return
	}
	if p.startFails >= maxStartFails && len(p.procs) == 0 {
		p.broken = fmt.Errorf("%d worker starts failed in a row, the last: %w", p.startFails, err)
		p.failQueueLocked(p.broken)
		return
	}
	if p.state != stateRunning && len(p.queue) == 0 {
		return
	}
	if p.cfg.noRespawn {
		if !p.canTakeTasksLocked() {
			p.failQueueLocked(ErrNoWorkers)
		}
		return
	}
	delay := min(startBackoff<<min(p.startFails-1, 10), maxStartBackoff)
	p.procWG.Add(1) // held until the retry has run or been cancelled
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		p.mu.Lock()
		delete(p.retries, t)
		p.mu.Unlock()
		defer p.procWG.Done()
		p.startReplacement()
	})
	if p.retries == nil {
		p.retries = map[*time.Timer]struct{}{}
	}
	p.retries[t] = struct{}{}
}

// cancelRetriesLocked stops the start retries not yet under way.
func (p *Pool) cancelRetriesLocked() {
	for t := range p.retries {
		if t.Stop() {
			p.procWG.Done()
		}
		delete(p.retries, t)
	}
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
