package harness

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// processesPerCPU bounds how many processes a run may keep per usable CPU:
// far beyond any pool size worth measuring, far below what makes a machine
// unusable (a pool of 100,000 for 4 tasks started 5,000 processes and a
// load of 137 on two cores before failing).
const processesPerCPU = 128

// processLimit is how many processes one trial may start at once on this
// machine: processesPerCPU per usable CPU, and at most half of what
// `ulimit -u` leaves this user, so that the run does not take the rest.
// why says how the limit was reached.
func processLimit() (limit int, why string) {
	cpus := runtimeCPUs()
	limit = processesPerCPU * cpus
	why = fmt.Sprintf("%d per CPU x %d CPUs", processesPerCPU, cpus)
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &rl); err == nil && rl.Cur != unix.RLIM_INFINITY {
		if half := int(min(rl.Cur/2, 1<<30)); half < limit {
			limit, why = half, fmt.Sprintf("half of ulimit -u %d", rl.Cur)
		}
	}
	return max(limit, 1), why
}

// checkProcessCounts refuses a plan that would start more processes at once
// than processLimit allows: a process pool larger than it, or one process
// per task for more tasks than it.
func (p *plan) checkProcessCounts() error {
	if p.AllowOversubscribe {
		return nil
	}
	limit, why := processLimit()
	sizes := append([]int{p.Workers}, p.WorkerSizes...)
	for _, s := range p.strategies {
		name := s.Name()
		if !startsProcesses(name) {
			continue
		}
		if strings.HasSuffix(name, "process-per-task") && p.Tasks > limit {
			return configErr("--tasks %d with %s: one process per task is more than the %d processes a run may start at once here (%s); --allow-oversubscribe to try anyway",
				p.Tasks, name, limit, why)
		}
		if !s.Traits().UsesPoolSize {
			continue
		}
		for _, n := range sizes {
			if n > limit {
				return configErr("--workers %d: a pool of %s processes is more than the %d a run may start at once here (%s); --allow-oversubscribe to try anyway",
					n, name, limit, why)
			}
		}
	}
	return nil
}

// startsProcesses reports whether a strategy runs its tasks in processes
// of its own, rather than goroutines of the trial.
func startsProcesses(name string) bool {
	switch name {
	case "serial", "py-serial", "py-threads":
		return false
	}
	return !strings.HasPrefix(name, "goroutine")
}
