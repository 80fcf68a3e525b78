package natspool

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/nats-io/nuid"
)

// envWorker carries a workerEnv, as JSON, to a worker process.
const envWorker = "POOLBENCH_NATSPOOL_WORKER"

// workerEnv tells a worker process where to connect and whom to serve.
type workerEnv struct {
	URL  string `json:"url"`
	Pool string `json:"pool"`
	// ID is the worker's subject name, chosen by the pool for its own
	// workers; empty for one started by a remote host, which picks one.
	ID string `json:"id,omitempty"`
}

// localProc is a worker process this pool started on its own host.
type localProc struct {
	id     string
	cmd    *exec.Cmd
	start  time.Time
	worker *worker // set when it says hello; guarded by the pool's mutex
	// reconnects is the owner's reconnect count when it started.
	reconnects uint64
}

func (lp *localProc) kill() { lp.cmd.Process.Kill() }

// startLocalLocked starts one local worker process; it says hello through
// the server like any other.
func (p *Pool) startLocalLocked() error {
	lp := &localProc{id: nuid.Next()}
	env, _ := json.Marshal(workerEnv{URL: p.url, Pool: p.id, ID: lp.id})
	cmd := exec.Command(p.cfg.path, p.cfg.args...)
	cmd.Env = append(append(os.Environ(), envWorker+"="+string(env)), p.cfg.env...)
	cmd.Stdout, cmd.Stderr = p.cfg.stdout, p.cfg.stderr
	// It dies with the thread that started it; Go keeps its threads for
	// the life of the process unless a locked goroutine exits.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	lp.cmd = cmd
	lp.start = time.Now()
	if p.nc != nil {
		lp.reconnects = p.nc.Stats().Reconnects
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p.locals[lp.id] = lp
	p.localWG.Add(1)
	go p.reap(lp)
	return nil
}

// reap waits for a local worker to exit and settles what it held; while
// the pool has tasks to run, a replacement takes its place.
func (p *Pool) reap(lp *localProc) {
	defer p.localWG.Done()
	waitErr := lp.cmd.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.locals, lp.id)
	w := lp.worker
	cause := fmt.Errorf("exited: %s", lp.cmd.ProcessState)
	if waitErr != nil && lp.cmd.ProcessState == nil {
		cause = waitErr
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
		p.loseWorkerLocked(w, cause)
	}
	// A closed pool with tasks left still needs its workers.
	if p.state == stateTerminated || p.stopSent || p.lost != nil {
		return
	}
	if p.broken != nil {
		p.failQueuedLocked(p.broken)
		return
	}
	if p.nc.IsConnected() {
		// Otherwise onReconnect starts it: it could not reach the pool now.
		p.startMissingLocked()
	}
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
