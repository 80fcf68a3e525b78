package natspool

import (
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/natspool/internal/wire"
)

// prefetchBudget is how much queued work the adaptive window keeps at each
// worker: enough to hide a trip through the server (tens of microseconds)
// behind short tasks; a task longer than this goes only to a worker with
// nothing else to do, so no task waits behind a busy worker.
const (
	prefetchBudget = time.Millisecond
	maxWindow      = 64
)

// windowLocked is how many tasks a worker may hold, the running one included.
func (p *Pool) windowLocked() int {
	if p.cfg.prefetch >= 0 {
		return 1 + p.cfg.prefetch
	}
	if p.avgRun == 0 {
		return 1
	}
	return min(max(int(float64(prefetchBudget)/p.avgRun), 1), maxWindow)
}

// noteRunTime feeds a task's run time into the moving average.
func (p *Pool) noteRunTime(ns float64) {
	ns = max(ns, 1)
	if p.avgRun == 0 {
		p.avgRun = ns
		return
	}
	p.avgRun += (ns - p.avgRun) / 16
}

// dispatchLocked sends queued tasks to the ready workers with the fewest
// in flight, up to the window, and once the pool is closed and nothing is
// left, tells the workers to exit.
func (p *Pool) dispatchLocked() {
	window := p.windowLocked()
	// Cut off from the server, a task would go to a worker that may not
	// be there when the owner is back: the queue keeps it till then, and
	// till the worker is heard from since (its heartbeat). A server that
	// restarted took its workers with it; another of a cluster did not.
	// (Asked of the connection here: its handlers run late.)
	connected, epoch := p.nc.IsConnected(), p.reconnects()
	for len(p.queue) > 0 && connected {
		a := p.queue[0]
		var best *worker
		for _, w := range p.live {
			if !w.isReady || w.retiring || len(w.inflight) >= window || w.isolated || (a.suspect && len(w.inflight) > 0) || w.heard != epoch {
				continue
			}
			if best == nil || len(w.inflight) < len(best.inflight) {
				best = w
			}
		}
		if best == nil {
			break
		}
		p.queue[0] = nil
		p.queue = p.queue[1:]
		best.isolated = a.suspect
		a.worker = best
		a.deliveries++
		best.inflight = append(best.inflight, a)
		best.assigned++
		best.retiring = p.cfg.maxTasks > 0 && best.local != nil && best.assigned >= p.cfg.maxTasks
		p.inflight++
		p.scratch = wire.AppendTaskMsg(p.scratch[:0], a.id, a.task.Func, a.task.Args)
		// An error here is a closed connection; the worker is then lost
		// by its silence or exit, and the task redelivered.
		p.nc.Publish(best.subject, p.scratch)
	}
	if len(p.queue) == 0 {
		p.queue = nil
		if p.state != stateRunning {
			if p.inflight == 0 {
				p.drainLocked()
			} else {
				p.retireIdleLocked()
			}
		}
	}
}

// retireIdleLocked tells the idle local workers of a closed pool with
// nothing queued to exit now rather than with the last task, so that their
// exits overlap the tasks still running and Join waits for fewer. Should a
// lost worker's tasks come back, reap starts workers for them.
func (p *Pool) retireIdleLocked() {
	for _, w := range p.live {
		if w.local != nil && w.isReady && !w.retiring && len(w.inflight) == 0 {
			w.retiring = true
			p.nc.Publish(w.subject, []byte{wire.KindStop})
		}
	}
}

// drainLocked tells the workers the pool is done, once, and releases Join.
func (p *Pool) drainLocked() {
	if p.stopSent {
		return
	}
	p.stopSent = true
	kind := wire.KindStop
	if p.state == stateTerminated {
		kind = wire.KindKill
	}
	p.nc.Publish(p.prefix+".ctl", []byte{kind})
	close(p.drained)
}

// onResult takes a worker's result: the task is done, the worker has a
// free slot.
func (p *Pool) onResult(m *nats.Msg) {
	r, bad := wire.DecodeResultMsg(m.Data)
	if bad != nil && (r.Worker == 0 || r.ID == 0) {
		return // nothing says whose it is
	}
	now := time.Now()
	p.mu.Lock()
	w := p.byIndex[r.Worker]
	if w == nil {
		// A worker already given up on: its tasks went elsewhere.
		p.mu.Unlock()
		return
	}
	w.lastSeen, w.heard, w.idleSince = now, p.reconnects(), time.Time{}
	var a *AsyncResult
	for i, x := range w.inflight {
		if x.id == r.ID {
			a = x
			w.inflight = append(w.inflight[:i], w.inflight[i+1:]...)
			break
		}
	}
	if a == nil {
		p.mu.Unlock()
		return
	}
	p.inflight--
	if len(w.inflight) == 0 {
		w.isolated = false
	}
	if w.running == r.ID {
		w.running = 0
	}
	if w.retiring && len(w.inflight) == 0 {
		// Its results are all in: it exits, and its exit (reap) brings
		// a fresh worker.
		p.nc.Publish(w.subject, []byte{wire.KindStop})
	}
	res := &a.result
	res.Worker, res.Host, res.WorkerPID, res.Deliveries = w.name, w.host, w.pid, a.deliveries
	res.Started, res.Finished, res.Delivered = time.Unix(0, r.Start), time.Unix(0, r.End), now
	switch {
	case bad != nil:
		// A result this build cannot read (a worker of another protocol
		// that got past the handshake, or one gone wrong): the task fails,
		// rather than wait in flight for a result that will never read
		// better, and the worker is given up on below.
		res.Started, res.Finished = now, now
		res.Err = fmt.Errorf("natspool: task %s in worker %s: %w", a.funcName(), w.name, bad)
	case r.Status == wire.StatusOK:
		res.Value = r.Payload
	case r.Status == wire.StatusTooLarge:
		res.Err = encodingError(a.funcName(), w.name, r.Payload)
	default:
		res.Err = taskError(a.funcName(), w.name, r.Status, r.Payload)
	}
	if bad == nil {
		p.noteRunTime(float64(r.End - r.Start))
	}
	if hs := p.hosts[w.host]; hs != nil {
		hs.Tasks++
	}
	// Handed over before dispatchLocked can drain the pool: the drain
	// releases Join, which must find this task delivered or queued.
	if a.onSuccess == nil && a.onError == nil && a.notify == nil {
		// Nothing to run in the handler (an Apply's handle): complete it
		// here, one goroutine hand-off sooner, as procpool does.
		close(a.done)
	} else {
		p.handler.push(a)
	}
	if bad != nil {
		// Whatever it sends next would read no better, and what it is
		// running may be the task just failed: it goes as a lost worker
		// does, its other tasks back to the queue, a local one replaced.
		p.loseWorkerLocked(w, fmt.Errorf("it sent a result this pool cannot read: %w", bad))
	}
	p.dispatchLocked()
	p.mu.Unlock()
}
