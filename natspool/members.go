package natspool

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/natspool/internal/wire"
)

// worker is the owner's view of one worker process, local or remote.
// Its fields are guarded by the pool's mutex.
type worker struct {
	index   uint64
	subject string // where its tasks go
	name    string // host/pid
	host    string
	pid     int
	local   *localProc // nil for a worker that joined from elsewhere
	id      string     // its own (its subject's) name, unique on the server
	hostID  string     // the host that started a remote one, if it said
	// heard is the owner's connection's reconnect count when the worker
	// was last heard from: one not heard from since the owner's last
	// reconnect may have gone with the server, and is sent nothing.
	heard    uint64
	isReady  bool
	gone     bool
	inflight []*AsyncResult // sent, in the order it runs them
	isolated bool           // it runs a suspect task: send it nothing else
	assigned int            // tasks sent to it
	retiring bool           // it had its MaxTasksPerChild: send it nothing more
	lastSeen time.Time
	// running is the task the worker last said it runs, since when (on
	// the owner's clock, monotonic), from its heartbeats.
	running uint64
	since   time.Time
	// idleSince is when its heartbeats began to say it runs nothing
	// while the owner holds tasks of its in flight (zero: they do not).
	idleSince time.Time
}

func jsonBytes(v any) ([]byte, error) { return json.Marshal(v) }

// onHello admits a worker: it gets an index and the pool's settings.
func (p *Pool) onHello(m *nats.Msg) {
	var h wire.Hello
	if err := wire.DecodeJSON(m.Data, &h); err != nil || h.ID == "" {
		return
	}
	p.mu.Lock()
	var reply wire.Welcome
	reply.Protocol = wire.Protocol
	// A closed pool still takes workers while it has tasks left for them.
	switch {
	case p.state == stateTerminated || p.stopSent:
		reply.Refused = wire.RefusedClosed
	case h.Protocol != wire.Protocol:
		reply.Refused = fmt.Sprintf("the worker speaks natspool protocol %d, the pool %d: run workers of the pool's build", h.Protocol, wire.Protocol)
		if lp := p.locals[h.ID]; lp != nil {
			lp.refused = reply.Refused // its exit says why New failed
		}
		// A remote one's refusal is told only to it: Stats tells the
		// owner why a host's workers never joined.
		p.noteRefusedLocked(fmt.Errorf("natspool: worker %s/%d refused: %s", h.Host, h.PID, reply.Refused))
	default:
		p.nextIndex++
		w := &worker{
			index:    p.nextIndex,
			subject:  p.prefix + ".w." + h.ID,
			name:     fmt.Sprintf("%s/%d", h.Host, h.PID),
			host:     h.Host,
			id:       h.ID,
			hostID:   h.HostID,
			heard:    p.reconnects(),
			pid:      h.PID,
			lastSeen: time.Now(),
		}
		if lp := p.locals[h.ID]; lp != nil {
			w.local, lp.worker = lp, w
		} else {
			p.hadRemote = true
		}
		p.byIndex[w.index] = w
		p.live = append(p.live, w)
		hs := p.hosts[h.Host]
		if hs == nil {
			hs = &HostStats{}
			p.hosts[h.Host] = hs
		}
		hs.CPUs = h.CPUs
		hs.Workers++
		reply = wire.Welcome{Protocol: wire.Protocol, Index: w.index, InitFunc: p.cfg.initFn, InitArgs: p.cfg.initArgs, Heartbeat: int64(p.cfg.heartbeat)}
	}
	p.mu.Unlock()
	b, _ := jsonBytes(reply)
	m.Respond(b)
}

// noteRefusedLocked counts a worker from elsewhere that could not serve,
// keeping the first hundred reasons, for Stats.
func (p *Pool) noteRefusedLocked(err error) {
	p.refusedN++
	if len(p.refused) < 100 {
		p.refused = append(p.refused, err)
	}
}

// onReady marks a worker ready (its initializer ran) and gives it tasks.
func (p *Pool) onReady(m *nats.Msg) {
	var r wire.Ready
	if wire.DecodeJSON(m.Data, &r) != nil {
		return
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	// The answer goes out before the worker's first task: were it sent
	// after, the worker could run that task and its result reach a caller
	// that is killed meanwhile, and the worker would wait out its ready
	// request rather than see its owner gone.
	m.Respond(nil)
	w := p.byIndex[r.Index]
	if w == nil || w.gone {
		return
	}
	w.lastSeen, w.heard = now, p.reconnects()
	if r.Error != "" {
		err := fmt.Errorf("natspool: worker %s: %s", w.name, r.Error)
		p.noteFirstLocked(w, err)
		if w.local == nil {
			p.noteRefusedLocked(err) // only it was told why
		}
		// It exits after saying so; a local one is reaped as usual.
		p.loseWorkerLocked(w, err)
		return
	}
	w.isReady = true
	close(p.readied)
	p.readied = make(chan struct{})
	if lp := w.local; lp != nil {
		p.ready++
		p.startTime += now.Sub(lp.start)
		p.startCPU += time.Duration(r.CPU)
		if len(p.spawns) < spawnSample {
			p.spawns = append(p.spawns, Spawn{PID: w.pid, Start: lp.start, Duration: now.Sub(lp.start), CPU: time.Duration(r.CPU)})
		}
		p.startFail = 0
	}
	p.noteFirstLocked(w, nil)
	p.dispatchLocked()
}

// noteFirstLocked reports the first local worker's start to New.
func (p *Pool) noteFirstLocked(w *worker, err error) {
	if w.local == nil {
		return
	}
	select {
	case p.firstUp <- err:
	default:
	}
}

// onBeat notes that a worker is alive and what it runs.
func (p *Pool) onBeat(m *nats.Msg) {
	b, err := wire.DecodeBeatMsg(m.Data)
	if err != nil {
		return
	}
	p.mu.Lock()
	if w := p.byIndex[b.Worker]; w != nil {
		now := time.Now()
		epoch := p.reconnects()
		newlyHeard := w.heard != epoch
		w.lastSeen, w.heard = now, epoch
		// A beat may be read after the result of the task it names
		// (they come on two subjects): a task no longer held runs no
		// more, and must not be timed out, nor its worker stopped.
		if b.Running != 0 && !slices.ContainsFunc(w.inflight, func(a *AsyncResult) bool { return a.id == b.Running }) {
			b.Running = 0
		}
		// When it started, on the owner's clock (a message's trip
		// late, which only delays a timeout).
		w.running, w.since = b.Running, now.Add(-time.Duration(b.Ran))
		// Idle while the owner waits for results from it: they may
		// have been lost (see checkWorkersLocked). Busy, it is not.
		switch {
		case b.Running != 0 || len(w.inflight) == 0:
			w.idleSince = time.Time{}
		case w.idleSince.IsZero():
			w.idleSince = now
		}
		if newlyHeard {
			// Back from the owner's reconnect: it may take tasks again.
			p.dispatchLocked()
		}
	}
	p.mu.Unlock()
}

// onDiscover answers a remote worker looking for pools to serve.
func (p *Pool) onDiscover(m *nats.Msg) {
	p.mu.Lock()
	wants := p.wantsWorkersLocked()
	p.mu.Unlock()
	if wants {
		info, _ := jsonBytes(wire.PoolInfo{ID: p.id})
		m.Respond(info)
	}
}

// wantsWorkersLocked reports whether the pool takes workers that join: it
// runs, or is closed with tasks left.
func (p *Pool) wantsWorkersLocked() bool {
	return p.state != stateTerminated && !p.stopSent && p.lost == nil
}

// loseWorkerLocked gives up on a worker and settles the tasks it held.
//
// Stopped past TaskTimeout, the task its heartbeat said it ran fails with
// the timeout. Any other task it held may have run too: the results of
// tasks it finished may have died with it, unsent, one queued behind the
// timed-out task may have started since its last heartbeat, and any of
// them may be the one that killed it. So each counts as delivered; one
// delivered MaxDeliver times fails, and the others go back as suspects,
// each sent later to a worker that holds nothing else, where a loss is
// its own. That way a task is handed to workers at most MaxDeliver times,
// and Deliveries says how many. What goes back goes to the front of the
// queue. A local worker is killed; a remote one is told to exit, in case
// it is only slow, and its host asked for another. Then the pool starts
// the local workers it lacks for the tasks back in the queue (a closed
// pool may have retired them all) and dispatches.
func (p *Pool) loseWorkerLocked(w *worker, cause error) {
	p.dropWorkerLocked(w, cause)
	p.afterLossLocked()
}

// afterLossLocked starts the local workers a loss left the pool short of,
// unless the owner is cut off (onReconnect starts them), and dispatches.
func (p *Pool) afterLossLocked() {
	if p.nc.IsConnected() {
		p.startMissingLocked()
	}
	p.dispatchLocked()
}

// dropWorkerLocked is loseWorkerLocked without what follows a loss, for
// several workers lost at once: none of them must be sent the tasks of
// another.
func (p *Pool) dropWorkerLocked(w *worker, cause error) {
	if w.gone {
		return
	}
	w.gone = true
	p.live = slices.DeleteFunc(p.live, func(x *worker) bool { return x == w })
	delete(p.byIndex, w.index)
	if hs := p.hosts[w.host]; hs != nil {
		hs.Workers--
	}
	p.reclaimLocked(w, cause)
	if w.local != nil {
		w.local.kill()
	} else {
		// On the control subject: on its own, the kill would wait
		// behind the task it is meant to stop.
		p.nc.Publish(p.prefix+".ctl", wire.AppendKillOne(nil, w.index))
		// Its host starts another in its place, as reap does for a
		// local one: a pool that only hosts serve would otherwise be
		// left with fewer workers at each loss, and at none hang.
		// Only one that served: one that could not get ready would
		// fail again, and again.
		if w.hostID != "" && w.isReady && p.wantsWorkersLocked() {
			b, _ := jsonBytes(wire.Replace{Pool: p.id, Worker: w.id})
			p.nc.Publish(wire.HostSubject(w.hostID), b)
		}
	}
}

// reclaimLocked takes back the tasks w holds, as loseWorkerLocked says:
// for a worker given up on, or one that went idle without their results
// (lost while the owner was cut off from the server), which serves on.
func (p *Pool) reclaimLocked(w *worker, cause error) {
	now := time.Now()
	var requeue, failed []*AsyncResult
	_, timedOut := cause.(*TimeoutError)
	for _, a := range w.inflight {
		p.inflight--
		if p.state == stateTerminated {
			continue // Terminate has failed it already
		}
		a.worker = nil
		if (timedOut && a.id == w.running) || a.deliveries >= p.cfg.maxDeliver {
			a.result.Err = &WorkerLostError{Worker: w.name, Func: a.funcName(), Deliveries: a.deliveries, Cause: cause}
			a.result.Worker, a.result.Host, a.result.WorkerPID = w.name, w.host, w.pid
			a.result.Deliveries = a.deliveries
			a.result.Delivered = now
			failed = append(failed, a)
			continue
		}
		a.suspect = true
		requeue = append(requeue, a)
	}
	w.inflight, w.isolated, w.running, w.idleSince = nil, false, 0, time.Time{}
	p.queue = append(requeue, p.queue...)
	if len(failed) > 0 {
		// push takes only the handler's own lock, never the pool's.
		p.handler.push(failed...)
	}
}
