package procpool

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
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
	// taskRaw writes to taskW without the poller's wait, for writes
	// that must not block.
	taskRaw syscall.RawConn
	resR    *os.File // parent reads results here (the worker's fd 4)
	// current is where the worker publishes the task it runs (fd 5).
	current *currentTask
	ready   chan error
	wake    chan struct{}
	wrote   chan struct{} // closed when the writer goroutine has exited
	start   time.Time
	watch   *exitWatch
	stderr  *stderrFilter // nil when the worker's stderr is discarded

	// guarded by pool.mu
	spawn    int // index of this start in pool.spawns, -1 past the sample
	isReady  bool
	closing  bool           // no more tasks: close the task pipe once flushed
	dead     bool           // the reader has seen the end
	inflight []*AsyncResult // sent, in the order the worker runs them
	assigned int
	out      frameQueue // frames waiting to be written
	spare    frameQueue
	writing  bool // a write to taskW is under way
	// taskPipe is touched only by the one writing (writing is set),
	// resPipe only by the reader goroutine.
	taskPipe, resPipe pipeGrowth
	killCause         error  // why the pool killed it, if it did
	killTask          uint64 // the late task a timeout kill was for (0: none)
}

// initInPipe is the largest init frame written before the worker starts:
// PIPE_BUF, which any pipe's buffer holds, even one the kernel shrank to
// two pages past the user's pipe quota.
const initInPipe = 4096

// failStart, set only by tests, makes a start fail before its process
// is made, as a fork that fails would (CPython's
// test_release_unused_processes).
var failStart func() error

// startProc starts one worker process. It returns once the process exists;
// the ready handshake arrives on pr.ready.
func (p *Pool) startProc() (*proc, error) {
	if failStart != nil {
		if err := failStart(); err != nil {
			return nil, err
		}
	}
	// Every descriptor this start opens, closed again if it fails. The
	// worker's ends are closed once it has started, and closing them a
	// second time does nothing.
	var files []*os.File
	var cur *currentTask
	fail := func(err error) (*proc, error) {
		for _, f := range files {
			f.Close()
		}
		if cur != nil {
			cur.close()
		}
		return nil, err
	}
	taskR, taskW, err := os.Pipe()
	if err != nil {
		return fail(fmt.Errorf("task pipe: %w", err))
	}
	files = append(files, taskR, taskW)
	resR, resW, err := os.Pipe()
	if err != nil {
		return fail(fmt.Errorf("result pipe: %w", err))
	}
	files = append(files, resR, resW)
	if cur, err = newCurrentTask(); err != nil {
		return fail(err)
	}
	cmd := exec.Command(p.cfg.path, p.cfg.args...)
	cmd.Env = append(append(os.Environ(), RoleEnv(RoleWorker, strconv.Itoa(p.cfg.workerProcs()))), p.cfg.env...)
	cmd.ExtraFiles = []*os.File{taskR, resW, cur.file} // fds 3, 4 and 5
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	var stderr *stderrFilter
	if p.cfg.trimDumps && p.stderr != nil {
		stderr = &stderrFilter{w: p.stderr}
		cmd.Stderr = stderr
	}
	// Output copied through a pipe (a writer that is not a file) may be
	// held open by a task's subprocess: do not wait long for it.
	cmd.WaitDelay = time.Second
	// The worker dies with the thread that started it: a starter thread,
	// which lives as long as the pool (internal/starter).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}

	pr := &proc{
		pool: p, cmd: cmd, taskW: taskW, resR: resR, current: cur, spawn: -1, stderr: stderr,
		ready: make(chan error, 1), wake: make(chan struct{}, 1), wrote: make(chan struct{}),
	}
	// The init frame's id field carries the pool's protocol version and
	// frame limit (initID). One that
	// fits a fresh pipe's buffer is in the pipe before the worker exists,
	// so that the worker's start never waits for this process: when ten
	// workers start on two cores, the writer goroutine waits its turn
	// behind them.
	if init := appendTask(nil, kindInit, initID(p.cfg.maxFrame), p.cfg.initFn, p.cfg.initArgs); len(init) <= initInPipe {
		if _, err := taskW.Write(init); err != nil {
			return fail(fmt.Errorf("task pipe: %w", err))
		}
	} else {
		pr.out.task(kindInit, initID(p.cfg.maxFrame), p.cfg.initFn, p.cfg.initArgs)
	}
	p.starter.Run(func() {
		pr.start = time.Now()
		err = cmd.Start()
	})
	taskR.Close()
	resW.Close()
	if err != nil {
		return fail(err)
	}
	pr.pid = cmd.Process.Pid
	if pr.taskRaw, err = taskW.SyscallConn(); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return fail(err)
	}
	pr.watch = watchExit(pr.pid, pr.exited)

	p.mu.Lock()
	if p.state == stateTerminated {
		// Terminate took its snapshot of the workers before this one
		// existed: it must not outlive the pool.
		p.mu.Unlock()
		cmd.Process.Kill()
		cmd.Wait()
		pr.watch.stop()
		return fail(ErrPoolClosed)
	}
	p.procs = append(p.procs, pr)
	// A start counts from the moment the process exists, so that the
	// count never lags the workers PIDs lists; the handshake fills in how
	// long it took to get ready.
	p.starts++
	if len(p.spawns) < spawnSample {
		pr.spawn = len(p.spawns)
		p.spawns = append(p.spawns, Spawn{PID: pr.pid, Start: pr.start})
	}
	p.procWG.Add(1)
	p.mu.Unlock()
	go pr.writeLoop()
	pr.signal()
	go pr.run()
	return pr, nil
}

// exited is called once the worker process has exited: the result pipe
// may still be held open by someone else, so reads stop waiting once it is
// drained, and writes to the task pipe stop waiting at all.
func (pr *proc) exited() {
	now := time.Now()
	pr.resR.SetReadDeadline(now)
	pr.taskW.SetWriteDeadline(now)
}

// run reads the ready handshake, then results, until the worker's result
// pipe ends or the worker has exited and the pipe is drained; then it reaps
// the worker and settles its tasks.
func (pr *proc) run() {
	p := pr.pool
	fr := newFrameReader(&exitAwareReader{f: pr.resR, w: pr.watch}, p.cfg.maxFrame)
	fr.alloc = p.spares.get
	startTimer := time.AfterFunc(p.cfg.startTimeout, func() {
		pr.kill(fmt.Errorf("no ready handshake within %v", p.cfg.startTimeout), 0)
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
		// Killed by the pool (the start timeout, Terminate): that is why
		// the pipe ended, not the worker's own doing.
		pr.pool.mu.Lock()
		cause := pr.killCause
		pr.pool.mu.Unlock()
		if cause != nil {
			return fmt.Errorf("worker %d killed before it was ready: %w", pr.pid, cause)
		}
		return fmt.Errorf("worker %d exited before it was ready: %w", pr.pid, err)
	}
	cpu, err := decodeReady(kind, body)
	if err != nil {
		return fmt.Errorf("worker %d: %w", pr.pid, err)
	}
	p := pr.pool
	now := time.Now()
	p.mu.Lock()
	pr.isReady = true
	p.readyStarts++
	p.startTime += now.Sub(pr.start)
	p.startCPU += cpu
	if pr.spawn >= 0 {
		p.spawns[pr.spawn].Duration = now.Sub(pr.start)
		p.spawns[pr.spawn].CPU = cpu
	}
	p.startFails = 0
	p.broken = nil
	// Its first tasks go out from here: when many workers start on few
	// cores, a writer goroutine woken for them waits its turn behind them.
	p.dispatchAndWriteLocked()
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
		if len(body)+len(fr.payload) > pipeDefault {
			pr.resPipe.grow(pr.resR)
		}
		if kind != kindResult {
			return fmt.Errorf("%w: frame kind %d, want result", ErrProtocol, kind)
		}
		rf, err := decodeResult(body)
		if err != nil {
			return err
		}
		own := fr.payload != nil
		if own {
			rf.payload = fr.payload
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
		a.result.Value, a.result.Err = pr.outcome(a, rf, own)
		if a.onSuccess == nil && a.onError == nil && a.notify == nil {
			// Nothing to run in the handler (an Apply's handle): complete
			// it here, one goroutine hand-off sooner.
			close(a.done)
		} else {
			batch = append(batch, a)
		}
		// Hand results over in batches while more are already buffered,
		// whatever this one was: the batch must not wait for the next
		// read when nothing more is buffered.
		if len(batch) > 0 && (fr.buffered() == 0 || len(batch) >= 256) {
			p.handler.push(batch...)
			batch = nil
		}
	}
}

// outcome turns a result frame into the task's value or error; own says
// the frame's buffer is the value's to keep.
func (pr *proc) outcome(a *AsyncResult, rf resultFrame, own bool) ([]byte, error) {
	switch rf.status {
	case statusOK:
		if len(rf.payload) == 0 {
			return nil, nil
		}
		if own {
			return rf.payload, nil
		}
		return append([]byte(nil), rf.payload...), nil
	case statusTooLarge:
		var size int64
		if len(rf.payload) >= 8 {
			size = int64(binary.LittleEndian.Uint64(rf.payload))
		}
		return nil, &EncodingError{Func: a.funcName(), PID: pr.pid, Size: size, Limit: pr.pool.cfg.maxFrame - resultOverhead}
	default:
		return nil, taskError(a.funcName(), pr.pid, rf.status, rf.payload)
	}
}
