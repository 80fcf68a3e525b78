package harness

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/poolbench/poolbench/measure"
)

// trialCgroup makes a memory cgroup for the next trial, or returns nil once
// one could not be made (the reason is kept in p.cgroupErr for the run's
// notes): trials then run without it.
func (p *plan) trialCgroup() *measure.Cgroup {
	if p.cgroupErr != nil {
		return nil
	}
	cg, err := measure.NewCgroup()
	if err != nil {
		if !errors.Is(err, measure.ErrNoCgroup) {
			err = fmt.Errorf("%w: %v", measure.ErrNoCgroup, err)
		}
		p.cgroupErr = err
		return nil
	}
	return cg
}

// loadBefore starts watching the machine's load for one trial: call it just
// before the trial starts, and after on the reaped trial's CPU.
func (p *plan) loadBefore() *loadWatch {
	w := &loadWatch{start: time.Now(), self0: selfCPU()}
	w.busy0, w.err = measure.BusyCPUSeconds()
	if p.usableCPUs == 0 {
		p.usableCPUs, p.hostCPUs = measure.UsableCPUs(), measure.HostCPUs()
	}
	w.load.usableCPUs = p.usableCPUs
	w.load.tick = measure.TickSeconds()
	w.load.cpus = p.hostCPUs
	return w
}

type loadWatch struct {
	load         trialLoad
	start        time.Time
	busy0, self0 float64
	err          error // the machine's CPU could not be read: no verdict
}

// after closes the watch on the trial's own CPU seconds.
func (w *loadWatch) after(treeCPU float64) {
	busy1, err := measure.BusyCPUSeconds()
	if w.err != nil || err != nil {
		w.err = errors.Join(w.err, err)
		return
	}
	w.load.wall = time.Since(w.start).Seconds()
	w.load.treeCPU = treeCPU
	w.load.busyCPU = busy1 - w.busy0
	w.load.selfCPU = selfCPU() - w.self0
}

func (w *loadWatch) other() float64 {
	if w.err != nil {
		return 0
	}
	return w.load.other()
}

func (w *loadWatch) noise() string {
	if w.err != nil {
		return ""
	}
	return w.load.noise()
}

// selfCPU is this process's own user+system CPU seconds, its children not
// included: the sampler and the reading of the trial's records.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
