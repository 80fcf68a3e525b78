package natspool

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// HostStats is what one host did for the pool.
type HostStats struct {
	CPUs    int `json:"cpus"`
	Workers int `json:"workers"`
	Tasks   int `json:"tasks"`
}

// Workers is how many workers are live now, local and remote.
func (p *Pool) Workers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.live)
}

// WaitWorkers waits until at least n workers, local or remote, are ready
// to take tasks, or ctx ends.
func (p *Pool) WaitWorkers(ctx context.Context, n int) error {
	for {
		p.mu.Lock()
		ready := 0
		for _, w := range p.live {
			if w.isReady {
				ready++
			}
		}
		ch := p.readied
		p.mu.Unlock()
		if ready >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("natspool: %d of %d workers ready: %w", ready, n, ctx.Err())
		}
	}
}

// Stats is a snapshot of what the pool has done.
type Stats struct {
	// Spawns lists the first procpool.SpawnSample local worker starts that
	// got ready, replacements included, one by one: a pool that retires a
	// worker after every task starts one per task, and the list must not
	// grow with it. Starts counts every local start; Ready those that got
	// ready, whose start-to-ready times and CPU sum to StartTime and
	// StartCPU.
	Spawns              []Spawn
	Starts, Ready       int
	StartTime, StartCPU time.Duration
	// Replaced counts local workers started to replace one that was lost
	// or retired (MaxTasksPerChild).
	Replaced int
	// Hosts holds, by host name, what each host that joined did.
	Hosts map[string]HostStats
	// CallbackPanics counts callbacks that panicked; CallbackErr joins the
	// first hundred of them.
	CallbackPanics int
	CallbackErr    error
	// Refused counts workers that joined but could not serve: they speak
	// another natspool protocol (a worker binary or a host of another
	// build), or, from another host, their Initializer failed there (a
	// local one's failure is New's error). RefusedErr joins the first
	// hundred reasons, each naming the worker (host/pid).
	Refused    int
	RefusedErr error
}

// Stats returns what the pool has done so far.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	hosts := make(map[string]HostStats, len(p.hosts))
	for h, s := range p.hosts {
		hosts[h] = *s
	}
	return Stats{
		Spawns:         append([]Spawn(nil), p.spawns...),
		Starts:         p.starts,
		Ready:          p.ready,
		StartTime:      p.startTime,
		StartCPU:       p.startCPU,
		Replaced:       p.replaced,
		Hosts:          hosts,
		CallbackPanics: p.callbackN,
		CallbackErr:    errors.Join(p.callbackErrs...),
		Refused:        p.refusedN,
		RefusedErr:     errors.Join(p.refused...),
	}
}

// PIDs lists the live local workers' pids.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for _, w := range p.live {
		if w.local != nil {
			pids = append(pids, w.pid)
		}
	}
	return pids
}
