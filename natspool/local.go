package natspool

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nuid"
	"github.com/poolbench/poolbench/internal/starter"
	"github.com/poolbench/poolbench/natspool/internal/wire"
)

// localProc is a worker process this pool started on its own host.
type localProc struct {
	id     string
	cmd    *exec.Cmd
	start  time.Time
	worker *worker // set when it says hello; guarded by the pool's mutex
	// reconnects is the owner's reconnect count when it started.
	reconnects uint64
	started    bool // its process exists; guarded by the pool's mutex
	// refused is why the pool refused its hello (another protocol), so
	// that its exit is blamed on that; guarded by the pool's mutex.
	refused string
	// lease keeps the thread it is started from alive until it has been
	// reaped: it dies with that thread (Pdeathsig).
	lease *starter.Lease
}

// kill kills the process if it was started; one still starting is killed
// by launch once it is.
func (lp *localProc) kill() {
	if lp.started {
		lp.cmd.Process.Kill()
	}
}

// startLocalLocked starts one local worker process; it says hello through
// the server like any other.
func (p *Pool) startLocalLocked() error {
	lp := p.newLocalLocked()
	err := lp.lease.Start(lp.cmd)
	p.startedLocked(lp, err)
	return err
}

// launch starts a worker registered by newLocalLocked without the pool's
// lock, so that several start at once and those up take tasks meanwhile.
func (p *Pool) launch(lp *localProc) error {
	p.mu.Lock()
	lp.start = time.Now() // its spawn time starts now, not when it was queued
	p.mu.Unlock()
	err := lp.lease.Start(lp.cmd)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.startedLocked(lp, err)
	if err == nil && (p.state == stateTerminated || p.lost != nil) {
		lp.kill()
	}
	return err
}

// startedLocked settles a start: the worker is reaped, or forgotten.
func (p *Pool) startedLocked(lp *localProc, err error) {
	if err != nil {
		delete(p.locals, lp.id)
		lp.lease.Release()
		p.localWG.Done()
		return
	}
	lp.started = true
	p.starts++
	go p.reap(lp)
}

// newLocalLocked prepares a local worker process and registers it, so
// that its hello is known for a local one however soon it comes.
func (p *Pool) newLocalLocked() *localProc {
	lp := &localProc{id: nuid.Next()}
	env, _ := json.Marshal(wire.WorkerEnv{URL: p.url, Pool: p.id, ID: lp.id})
	cmd := exec.Command(p.cfg.path, p.cfg.args...)
	cmd.Env = workerEnviron(string(env), p.cfg.env)
	cmd.Stdout, cmd.Stderr = p.cfg.stdout, p.cfg.stderr
	// It dies with the thread that started it, a starter thread, which
	// outlives it (internal/starter).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	lp.cmd = cmd
	lp.lease = starter.Acquire()
	lp.start = time.Now()
	if p.nc != nil {
		lp.reconnects = p.nc.Stats().Reconnects
	}
	p.locals[lp.id] = lp
	p.localWG.Add(1)
	return lp
}

// reap waits for a local worker to exit and settles what it held; while
// the pool has tasks to run, a replacement takes its place.
func (p *Pool) reap(lp *localProc) {
	defer p.localWG.Done()
	waitErr := lp.cmd.Wait()
	lp.lease.Release()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.locals, lp.id)
	w := lp.worker
	cause := fmt.Errorf("exited: %s", lp.cmd.ProcessState)
	if waitErr != nil && lp.cmd.ProcessState == nil {
		cause = waitErr
	}
	if lp.refused != "" {
		cause = fmt.Errorf("exited: refused: %s", lp.refused)
	}
	cutOff := p.cutOffLocked(lp)
	if (w == nil || !w.isReady) && !cutOff {
		// It never became ready: a start failure.
		p.startFail++
		err := fmt.Errorf("natspool: worker pid %d %v before it was ready", lp.cmd.Process.Pid, cause)
		select {
		case p.firstUp <- err:
		default:
		}
		if p.startFail >= 3 && p.broken == nil {
			p.broken = err
		}
	}
	if w != nil {
		p.dropWorkerLocked(w, cause)
	}
	if p.broken != nil && p.state != stateTerminated && !p.stopSent && p.lost == nil {
		p.failQueuedLocked(p.broken)
	}
	// A closed pool with tasks left still needs its workers.
	p.afterLossLocked()
}

// failQueuedLocked fails the queued tasks when no local worker can start
// and no other worker is there to take them.
func (p *Pool) failQueuedLocked(err error) {
	if len(p.live) > 0 {
		return
	}
	now := time.Now()
	for _, a := range p.queue {
		a.result.Err = err
		a.result.Delivered = now
	}
	p.handler.push(p.queue...)
	p.queue = nil
	p.dispatchLocked()
}

// startWorkers starts the pool's first n workers, a few at a time (one per
// CPU): a start waits for the exec of a large binary, and on a loaded
// machine the last worker's start is what a short batch waits for.
func (p *Pool) startWorkers(n int) error {
	lps := make([]*localProc, n)
	p.mu.Lock()
	for i := range lps {
		lps[i] = p.newLocalLocked()
	}
	p.mu.Unlock()
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := range next {
				errs[i] = p.launch(lps[i])
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("natspool: start worker %d: %w", i, err)
		}
	}
	return nil
}
