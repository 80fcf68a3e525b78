package natspool

import (
	"time"

	"github.com/poolbench/poolbench/natspool/internal/wire"
)

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

// Terminate stops every worker at once: local ones are killed and reaped,
// remote ones told to exit. Tasks not yet done fail with ErrTerminated
// (their error callbacks run). It then disconnects and stops the embedded
// server, as Join does, so that a pool terminated without Join leaves
// nothing running once its last callbacks have run; Join after it waits
// for those. Telling remote workers may take it a second or two at most:
// the last word is flushed to the server, and an embedded server waits
// for them to leave before it stops.
func (p *Pool) Terminate() {
	p.mu.Lock()
	if p.state == stateTerminated {
		p.mu.Unlock()
		p.localWG.Wait()
		p.shutdown() // returns once the first Terminate's has
		return
	}
	p.state = stateTerminated
	failed := p.queue
	p.queue = nil
	for _, w := range p.live {
		failed = append(failed, w.inflight...)
		w.inflight = nil
	}
	p.inflight = 0
	now := time.Now()
	for _, a := range failed {
		a.result.Err = ErrTerminated
		a.result.Delivered = now
		a.result.Deliveries = a.deliveries
	}
	// Queued before the drain releases Join, which must find them.
	p.handler.push(failed...)
	// Remote workers are told to exit, mid-task if need be.
	p.drainOrKillLocked()
	for _, lp := range p.locals {
		lp.kill()
	}
	p.mu.Unlock()
	p.localWG.Wait()
	p.shutdown()
}

// drainOrKillLocked sends the kill even if a stop was sent already.
func (p *Pool) drainOrKillLocked() {
	if p.stopSent {
		p.nc.Publish(p.prefix+".ctl", []byte{wire.KindKill})
		return
	}
	p.drainLocked()
}

// Join waits for every task to be delivered, callbacks included, and for
// the local workers to exit, then disconnects and stops the embedded
// server. It must follow Close or Terminate: before them it returns
// ErrPoolRunning. Do not call it from a callback.
func (p *Pool) Join() error {
	p.mu.Lock()
	running := p.state == stateRunning
	p.mu.Unlock()
	if running {
		return ErrPoolRunning
	}
	<-p.drained
	p.localWG.Wait()
	p.shutdown()
	<-p.handler.exited
	return nil
}

// shutdown ends what the pool runs beside its workers, once they are all
// told to go (drained) and the local ones reaped: its ticker, its handler
// once that has delivered what it holds, its subscriptions, its connection
// and its embedded server.
func (p *Pool) shutdown() {
	p.joinOnce.Do(func() {
		p.mu.Lock()
		p.joining = true
		if p.graceTimer != nil {
			p.graceTimer.Stop()
		}
		remote := p.hadRemote
		p.mu.Unlock()
		close(p.tickStop)
		<-p.tickDone
		p.handler.finish()
		for _, s := range p.subs {
			s.Unsubscribe()
		}
		// Flush the last stop to remote workers before going, unless the
		// server is out of reach: Join must not wait on it.
		if p.nc.IsConnected() {
			p.nc.FlushTimeout(time.Second)
		}
		p.nc.Close()
		if p.srv != nil && remote {
			p.srv.waitUnsubscribed(p.prefix+".ctl", time.Second)
		}
		if p.srv != nil {
			p.srv.Shutdown()
		}
	})
}
