package procpool

import (
	"fmt"
	"os"
	"os/exec"
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
	spawn     int // index of this start in pool.spawns
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
	p.procs = append(p.procs, pr)
	// A start counts from the moment the process exists, so that the
	// count never lags the workers PIDs lists; the handshake fills in how
	// long it took to get ready.
	pr.spawn = len(p.spawns)
	p.spawns = append(p.spawns, Spawn{PID: pr.pid, Start: pr.start})
	p.procWG.Add(1)
	p.mu.Unlock()
	go pr.writeLoop()
	pr.signal()
	go pr.run()
	return pr, nil
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
	p.spawns[pr.spawn].Duration = now.Sub(pr.start)
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
		// Nothing to run in the handler: it is delivered below, here.
		direct := a.onSuccess == nil && a.onError == nil && a.notify == nil
		if direct {
			p.pending--
		}
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
		if direct {
			// Complete it here, one goroutine hand-off sooner.
			close(a.done)
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
