package natspool

import (
	"time"

	"github.com/poolbench/poolbench/natspool/internal/wire"
)

// tick is the owner's heartbeat: it tells the workers the pool is alive,
// gives up on remote workers that fell silent, stops workers whose task ran
// past the timeout and local workers that take too long to start.
func (p *Pool) tick() {
	defer close(p.tickDone)
	t := time.NewTicker(p.cfg.heartbeat)
	defer t.Stop()
	alive := []byte{wire.KindAlive}
	for {
		select {
		case <-p.tickStop:
			return
		case now := <-t.C:
			p.nc.Publish(p.prefix+".ctl", alive)
			p.mu.Lock()
			p.checkWorkersLocked(now)
			p.mu.Unlock()
		}
	}
}

func (p *Pool) checkWorkersLocked(now time.Time) {
	silence := wire.SilenceLimit(p.cfg.heartbeat)
	var lost, idle []*worker
	var causes []error
	for _, w := range p.live {
		switch {
		case p.cfg.taskTimeout > 0 && w.running != 0 && now.Sub(w.since) > p.cfg.taskTimeout:
			lost = append(lost, w)
			causes = append(causes, &TimeoutError{After: p.cfg.taskTimeout})
		// A local worker's death is seen at once through its exit; only
		// remote ones are judged by their silence.
		case w.local == nil && now.Sub(w.lastSeen) > silence:
			lost = append(lost, w)
			causes = append(causes, &silenceError{after: now.Sub(w.lastSeen)})
		// Its beats have said for a while that it runs nothing, yet
		// the owner holds tasks of its: their results, or the tasks
		// themselves, were lost (the owner was cut off from the server
		// while it sent them). It lives: only its tasks are taken back.
		case !w.idleSince.IsZero() && now.Sub(w.idleSince) > silence:
			idle = append(idle, w)
		}
	}
	for i, w := range lost {
		p.dropWorkerLocked(w, causes[i])
	}
	for _, w := range idle {
		p.reclaimLocked(w, &idleError{after: now.Sub(w.idleSince)})
	}
	if len(lost)+len(idle) > 0 {
		p.afterLossLocked()
	}
	for _, lp := range p.locals {
		if (lp.worker == nil || !lp.worker.isReady) && now.Sub(lp.start) > p.cfg.startTimeout {
			lp.kill()
		}
	}
}
