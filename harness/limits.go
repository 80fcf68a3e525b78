package harness

import (
	"fmt"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/strategies"
	"golang.org/x/sys/unix"
)

// processesPerCPU bounds how many processes a run may keep per usable CPU:
// far beyond any pool size worth measuring, far below what makes a machine
// unusable (a pool of 100,000 for 4 tasks started 5,000 processes and a
// load of 137 on two cores before failing).
const processesPerCPU = 128

// threadsPerWorker is what one worker process costs against `ulimit -u`,
// which counts threads, not processes: the Go runtime's own, idle most of
// the time, whose number grows with GOMAXPROCS (its collector's workers):
// 5 to 9 on 2 CPUs, 15 on 32. TestWorkerThreads holds this bound against
// /proc over a task that churns the heap.
func threadsPerWorker() int { return runtimeCPUs() + 10 }

// processLimit is how many worker processes one trial may run at once on
// this machine: processesPerCPU per usable CPU, and at most as many as half
// of what `ulimit -u` leaves this user holds threads for, so that the run
// does not take the rest. why says how the limit was reached.
func processLimit() (limit int, why string) {
	cpus := runtimeCPUs()
	limit = processesPerCPU * cpus
	why = fmt.Sprintf("%d per CPU x %d CPUs", processesPerCPU, cpus)
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &rl); err == nil && rl.Cur != unix.RLIM_INFINITY {
		perWorker := uint64(threadsPerWorker())
		if n := int(min(rl.Cur/2/perWorker, 1<<30)); n < limit {
			limit, why = n, fmt.Sprintf("half of ulimit -u %d, at %d threads a worker", rl.Cur, perWorker)
		}
	}
	return max(limit, 1), why
}

// capProcesses sets how many processes process-per-task runs at once: the
// --max-processes given, or processLimit, and notes the cap when it holds
// the tasks back. A cap above the limit is refused, as a pool that large
// would be, unless oversubscribing is allowed; then, with no cap given,
// every task's process starts at once.
func (p *plan) capProcesses() error {
	if p.MaxProcesses != 0 && !p.runsProcessPerTask() {
		return configErr("--max-processes applies to process-per-task, which this run does not measure")
	}
	limit, why := processLimit()
	switch {
	case p.MaxProcesses < 0:
		return configErr("--max-processes %d: want at least 1 (0 for this machine's limit)", p.MaxProcesses)
	case p.MaxProcesses > limit && !p.AllowOversubscribe:
		return configErr("--max-processes %d is more than the %d processes a run may start at once here (%s); --allow-oversubscribe to try anyway",
			p.MaxProcesses, limit, why)
	case p.MaxProcesses == 0 && !p.AllowOversubscribe:
		p.maxProcesses = limit
	default:
		p.maxProcesses = p.MaxProcesses
		why = "--max-processes"
	}
	if p.runsProcessPerTask() && p.maxProcesses > 0 && p.Tasks > p.maxProcesses {
		p.notes = append(p.notes, fmt.Sprintf("process-per-task: at most %d of its %d processes at once (%s)", p.maxProcesses, p.Tasks, why))
	}
	return nil
}

// checkProcessCounts refuses a plan that would start more processes at once
// than processLimit allows: a process pool larger than it, or CPython's
// process per task (which starts them all at once) for more tasks than it.
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
		if name == "py-process-per-task" && p.Tasks > limit {
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

// runsProcessPerTask reports whether the plan measures process-per-task,
// the one strategy --max-processes caps.
func (p *plan) runsProcessPerTask() bool {
	return slices.ContainsFunc(p.strategies, func(s strategies.Strategy) bool { return s.Name() == "process-per-task" })
}

// mapsInChunks reports whether the plan measures a *-pool-map strategy,
// the ones --chunk-size reaches.
func (p *plan) mapsInChunks() bool {
	return slices.ContainsFunc(p.strategies, func(s strategies.Strategy) bool { return strings.HasSuffix(s.Name(), "pool-map") })
}
