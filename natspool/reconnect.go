package natspool

import (
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/natspool/internal/wire"
)

// An external server may restart under a running pool. The owner's
// connection reconnects (every reconnectWait); its local workers, whose
// connections do not, exit with it, and their tasks go back to the queue
// as for any lost worker. While the owner is cut off, no task is sent and
// no replacement starts (it could not reach the pool), and none of those
// exits counts as a worker that cannot start. Once it is back, each worker
// is sent tasks again only once it is heard from (its next heartbeat):
// those on a server that restarted never are, and are given up on for
// their silence, their tasks counted once for the restart; those on
// another server of a cluster, or on the same one when only the owner was
// cut off, serve on (the beat that brings one back sends it what waited,
// and the results it sent while the owner was away, lost, are taken back
// once its beats say it is idle: see checkWorkersLocked). Replacements
// start and the tasks are redelivered. If the server stays away longer than
// ServerGrace, the owner gives up: its connection closes and every task
// not done fails with ErrServerLost, as do later submissions.

const reconnectWait = 100 * time.Millisecond

// connOptions are the owner's connection's reconnect settings.
func (p *Pool) connOptions() []nats.Option {
	return []nats.Option{
		nats.MaxReconnects(-1), // the grace timer bounds it
		nats.ReconnectWait(reconnectWait),
		nats.DisconnectErrHandler(func(*nats.Conn, error) { p.onDisconnect() }),
		nats.ReconnectHandler(func(*nats.Conn) { p.onReconnect() }),
		nats.ClosedHandler(func(*nats.Conn) { p.onClosed() }),
	}
}

func (p *Pool) onDisconnect() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.graceTimer != nil || p.joining {
		return
	}
	p.graceTimer = time.AfterFunc(p.cfg.serverGrace, func() {
		if !p.nc.IsConnected() {
			p.nc.Close() // onClosed fails what is left
		}
	})
}

func (p *Pool) onReconnect() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.graceTimer != nil {
		p.graceTimer.Stop()
		p.graceTimer = nil
	}
	p.startMissingLocked()
	// Remote hosts that came back before this owner did found no pool
	// to serve: tell them it is there.
	if p.wantsWorkersLocked() {
		info, _ := jsonBytes(wire.PoolInfo{ID: p.id})
		p.nc.Publish(wire.SubjectAnnounce, info)
	}
	p.dispatchLocked()
}

// startMissingLocked starts the local workers the pool lacks, unless it is
// done or cannot start them; once it is closed, only as many as there are
// tasks waiting.
func (p *Pool) startMissingLocked() {
	if p.state == stateTerminated || p.stopSent || p.broken != nil || p.lost != nil {
		return
	}
	for n := 0; len(p.locals) < p.cfg.workers && (p.state == stateRunning || n < len(p.queue)); n++ {
		p.replaced++
		if err := p.startLocalLocked(); err != nil {
			p.broken = fmt.Errorf("natspool: start replacement worker: %w", err)
			p.failQueuedLocked(p.broken)
			return
		}
	}
}

// cutOffLocked reports whether the owner lost the server since lp started
// (it is out of reach now, or came back since): then lp's exit is the
// server's doing, not a worker that cannot start.
func (p *Pool) cutOffLocked(lp *localProc) bool {
	return p.srv == nil && (!p.nc.IsConnected() || p.nc.Stats().Reconnects != lp.reconnects)
}

// onClosed runs when the owner's connection closes: at Join, or when the
// server stayed out of reach past ServerGrace. Then every task not done
// fails, and the local workers (cut off too) are killed.
func (p *Pool) onClosed() {
	p.mu.Lock()
	if p.joining || p.lost != nil {
		p.mu.Unlock()
		return
	}
	p.lost = fmt.Errorf("%w at %s: out of reach for %v", ErrServerLost, p.url, p.cfg.serverGrace)
	failed := p.queue
	p.queue = nil
	for _, w := range p.live {
		failed = append(failed, w.inflight...)
		w.inflight = nil
	}
	p.inflight = 0
	now := time.Now()
	for _, a := range failed {
		a.result.Err = p.lost
		a.result.Delivered = now
		a.result.Deliveries = a.deliveries
	}
	for _, lp := range p.locals {
		lp.kill()
	}
	// Queued before dispatchLocked can drain the pool and release Join,
	// which must find them.
	p.handler.push(failed...)
	p.dispatchLocked()
	p.mu.Unlock()
}
