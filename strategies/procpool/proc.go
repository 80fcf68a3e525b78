package procpool

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

// proc is the parent's side of one worker process. Fields below mu are
// guarded by the pool's mutex.
type proc struct {
	pool  *Pool
	cmd   *exec.Cmd
	pid   int
	taskW *os.File // parent writes tasks here (the worker's fd 3)
	resR  *os.File // parent reads results here (the worker's fd 4)
	// current is where the worker publishes the task it runs (fd 5).
	current *currentTask
	ready   chan error
	wake    chan struct{}
	wrote   chan struct{} // closed when the writer goroutine has exited
	start   time.Time

	// guarded by pool.mu
	isReady   bool
	closing   bool           // no more tasks: close the task pipe once flushed
	dead      bool           // the reader has seen the end
	inflight  []*AsyncResult // sent, in the order the worker runs them
	assigned  int
	out       []byte // frames waiting to be written
	spare     []byte
	writing   bool  // a write to taskW is under way
	killCause error // why the pool killed it, if it did
}

// startProc starts one worker process. It returns once the process exists;
// the ready handshake arrives on pr.ready.
func (p *Pool) startProc() (*proc, error) {
	taskR, taskW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("task pipe: %w", err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		taskR.Close()
		taskW.Close()
		return nil, fmt.Errorf("result pipe: %w", err)
	}
	cur, err := newCurrentTask()
	if err != nil {
		taskR.Close()
		taskW.Close()
		resR.Close()
		resW.Close()
		return nil, err
	}
	cmd := exec.Command(p.cfg.path, p.cfg.args...)
	cmd.Env = append(append(os.Environ(), envWorker+"=1"), p.cfg.env...)
	cmd.ExtraFiles = []*os.File{taskR, resW, cur.file} // fds 3, 4 and 5
	cmd.Stdout, cmd.Stderr = p.cfg.stdout, p.cfg.stderr
	// The worker dies with the thread that started it. Go keeps its OS
	// threads for the life of the process unless a goroutine exits while
	// locked to one, which this package never does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}

	pr := &proc{
		pool: p, cmd: cmd, taskW: taskW, resR: resR, current: cur,
		ready: make(chan error, 1), wake: make(chan struct{}, 1), wrote: make(chan struct{}),
	}
	pr.start = time.Now()
	err = cmd.Start()
	taskR.Close()
	resW.Close()
	if err != nil {
		taskW.Close()
		resR.Close()
		cur.close()
		return nil, err
	}
	pr.pid = cmd.Process.Pid
	pr.out = appendTask(nil, kindInit, 0, p.cfg.initFn, p.cfg.initArgs)

	p.mu.Lock()
	if p.state == stateTerminated {
		// Terminate took its snapshot of the workers before this one
		// existed: it must not outlive the pool.
		p.mu.Unlock()
		cmd.Process.Kill()
		cmd.Wait()
		taskW.Close()
		resR.Close()
		cur.close()
		return nil, ErrPoolClosed
	}
	p.procs[pr] = struct{}{}
	p.procWG.Add(1)
	p.mu.Unlock()
	go pr.writeLoop()
	pr.signal()
	go pr.run()
	return pr, nil
}

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

// run reads the ready handshake, then results, until the worker's result
// pipe ends; then it reaps the worker and settles its tasks.
func (pr *proc) run() {
	p := pr.pool
	fr := newFrameReader(pr.resR, p.cfg.maxFrame)
	startTimer := time.AfterFunc(p.cfg.startTimeout, func() {
		pr.kill(fmt.Errorf("no ready handshake within %v", p.cfg.startTimeout))
	})
	err := pr.handshake(fr)
	startTimer.Stop()
	pr.ready <- err
	if err == nil {
		err = pr.readResults(fr)
	}
	pr.die(err)
}

func (pr *proc) handshake(fr *frameReader) error {
	kind, body, err := fr.next()
	if err != nil {
		return fmt.Errorf("worker %d exited before it was ready: %w", pr.pid, err)
	}
	if kind != kindReady {
		return fmt.Errorf("worker %d: %w: frame kind %d before ready", pr.pid, ErrProtocol, kind)
	}
	if len(body) > 0 {
		return fmt.Errorf("worker %d: %s", pr.pid, body)
	}
	p := pr.pool
	now := time.Now()
	p.mu.Lock()
	pr.isReady = true
	p.spawns = append(p.spawns, Spawn{PID: pr.pid, Start: pr.start, Duration: now.Sub(pr.start)})
	p.startFails = 0
	p.broken = nil
	p.dispatchLocked()
	p.mu.Unlock()
	return nil
}

// readResults matches each result frame to the oldest task in flight: a
// worker runs its tasks in the order they were sent.
func (pr *proc) readResults(fr *frameReader) error {
	p := pr.pool
	var batch []*AsyncResult
	// Results already taken off inflight must reach their callers whatever
	// ends the loop: a bad frame after them is no reason to lose them.
	defer func() { p.handler.push(batch...) }()
	for {
		kind, body, err := fr.next()
		if err != nil {
			return err
		}
		if kind != kindResult {
			return fmt.Errorf("%w: frame kind %d, want result", ErrProtocol, kind)
		}
		rf, err := decodeResult(body)
		if err != nil {
			return err
		}
		now := time.Now()
		p.mu.Lock()
		if len(pr.inflight) == 0 || pr.inflight[0].id != rf.id {
			p.mu.Unlock()
			return fmt.Errorf("%w: result for task %d, which this worker was not running", ErrProtocol, rf.id)
		}
		a := pr.inflight[0]
		pr.inflight[0] = nil
		pr.inflight = pr.inflight[1:]
		p.noteRunTime(float64(rf.end - rf.start))
		p.dispatchLocked()
		p.mu.Unlock()

		a.result.WorkerPID = pr.pid
		a.result.Started = time.Unix(0, rf.start)
		a.result.Finished = time.Unix(0, rf.end)
		a.result.Delivered = now
		if rf.status == statusOK {
			if len(rf.payload) > 0 {
				a.result.Value = append([]byte(nil), rf.payload...)
			}
		} else {
			a.result.Err = &TaskError{Func: a.task.Func, PID: pr.pid, Msg: string(rf.payload)}
		}
		if a.onSuccess == nil && a.onError == nil && a.notify == nil {
			// Nothing to run in the handler: complete it here, one
			// goroutine hand-off sooner.
			close(a.done)
			p.delivered(1)
			continue
		}
		batch = append(batch, a)
		// Hand results over in batches while more are already buffered.
		if len(batch) > 0 && (fr.buffered() == 0 || len(batch) >= 256) {
			p.handler.push(batch...)
			batch = nil
		}
	}
}

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
	delete(p.procs, pr)
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
	if p.state != stateTerminated && (p.state == stateRunning || len(p.queue) > 0) {
		p.replaceLocked(cause)
	}
	p.dispatchLocked()
	p.mu.Unlock()
	p.handler.push(failed...)
	p.procWG.Done()
}

// replaceLocked starts a worker in place of one that ended. After three
// starts in a row fail, the pool is broken: queued tasks fail with the start
// error instead of waiting forever for a worker that will never come.
func (p *Pool) replaceLocked(cause error) {
	if p.startFails >= 3 {
		p.broken = fmt.Errorf("%d worker starts failed in a row, the last: %w", p.startFails, cause)
		if len(p.procs) == 0 {
			p.failQueueLocked(p.broken)
		}
		return
	}
	p.replaced++
	p.procWG.Add(1) // held until the new worker's own goroutine takes over
	go func() {
		defer p.procWG.Done()
		if _, err := p.startProc(); err != nil {
			p.mu.Lock()
			p.startFails++
			if len(p.procs) == 0 && p.state != stateTerminated {
				// Nothing left to run the queue: fail it rather than let
				// it wait for a worker that cannot start.
				p.broken = fmt.Errorf("start replacement worker: %w", err)
				p.failQueueLocked(p.broken)
			}
			p.mu.Unlock()
		}
	}()
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
