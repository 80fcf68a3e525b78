package procpool

import (
	"slices"
	"time"
)

// prefetchBudget is how much queued work the adaptive prefetch keeps at each
// worker: enough to hide a pipe round trip (tens of microseconds) behind
// short tasks, little enough that long tasks stay evenly spread.
const (
	prefetchBudget = time.Millisecond
	maxPrefetch    = 63
)

// windowLocked is how many tasks a worker may hold: the one it runs plus the
// prefetched ones.
func (p *Pool) windowLocked() int {
	if p.cfg.prefetch >= 0 {
		return 1 + p.cfg.prefetch
	}
	if p.avgRun == 0 {
		return 2
	}
	n := int(float64(prefetchBudget) / p.avgRun)
	return 1 + min(max(n, 1), maxPrefetch)
}

// noteRunTime feeds a task's run time into the moving average.
func (p *Pool) noteRunTime(ns float64) {
	if ns < 1 {
		ns = 1
	}
	if p.avgRun == 0 {
		p.avgRun = ns
		return
	}
	p.avgRun += (ns - p.avgRun) / 16
}

// dispatchLocked hands queued tasks to the ready workers with the fewest
// tasks in flight, up to the window, and, once the pool is closed and the
// queue is empty, tells every worker to finish.
func (p *Pool) dispatchLocked() {
	window := p.windowLocked()
	for len(p.queue) > 0 {
		var best *proc
		for _, pr := range p.procs {
			if !pr.isReady || pr.closing || len(pr.inflight) >= window {
				continue
			}
			if best == nil || len(pr.inflight) < len(best.inflight) {
				best = pr
			}
		}
		if best == nil {
			break
		}
		a := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		best.inflight = append(best.inflight, a)
		best.assigned++
		best.out.task(kindTask, a.id, a.task.Func, a.task.Args)
		if p.cfg.maxTasks > 0 && best.assigned >= p.cfg.maxTasks {
			// Retire it after this task: it will exit at the end of its
			// task pipe and a fresh worker takes its place.
			best.closing = true
		}
		if p.inline != nil {
			if !slices.Contains(p.inline, best) {
				p.inline = append(p.inline, best)
			}
		} else {
			best.signal()
		}
	}
	if len(p.queue) == 0 {
		p.queue = nil // let the backing array go
		if p.state != stateRunning {
			for _, pr := range p.procs {
				if !pr.closing {
					pr.closing = true
					pr.signal()
				}
			}
		}
	}
}

// dispatchAndWriteLocked is dispatchLocked for a goroutine that then
// writes the frames itself, as far as the pipes take them at once, rather
// than waking each worker's writer goroutine: a hand-off less on the way
// to the worker, and none to wait for when the CPUs are busy. It is called
// with p.mu held and releases it.
func (p *Pool) dispatchAndWriteLocked() {
	// A non-nil slice switches dispatchLocked to collecting (nil means
	// hand the writes to the writer goroutines).
	p.inline = p.inlineBuf[:0]
	p.dispatchLocked()
	// p.inlineBuf is the next caller's once the lock is released.
	var local [4]*proc
	dirty := append(local[:0], p.inline...)
	clear(p.inlineBuf[:])
	p.inline = nil
	p.mu.Unlock()
	for _, pr := range dirty {
		pr.flush(false)
	}
}

// watch kills workers whose current task has outlived the task timeout.
func (p *Pool) watch() {
	tick := time.NewTicker(max(p.cfg.taskTimeout/4, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-p.watchdog:
			return
		case now := <-tick.C:
			type lateTask struct {
				pr *proc
				id uint64
			}
			var late []lateTask
			p.mu.Lock()
			for _, pr := range p.procs {
				// The worker publishes when the running task started, so a
				// prefetched task's wait does not count against it.
				if id, start := pr.current.get(); id != 0 && now.Sub(time.Unix(0, start)) > p.cfg.taskTimeout {
					late = append(late, lateTask{pr, id})
				}
			}
			p.mu.Unlock()
			for _, l := range late {
				// The late task may finish before the kill lands: the
				// timeout is its cause, never the next task's.
				l.pr.kill(&TimeoutError{After: p.cfg.taskTimeout}, l.id)
			}
		}
	}
}
