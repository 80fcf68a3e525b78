package measure

import "os"

// Usage is what the kernel accounted to a finished process when it was
// reaped.
type Usage struct {
	// UserSeconds and SystemSeconds are CPU time of the process and of every
	// descendant it (or its descendants) waited for: on Linux, wait4 reports
	// a reaped child's own usage plus its reaped children's.
	UserSeconds   float64
	SystemSeconds float64
	// MaxRSSBytes is the largest RSS of the process or of any one waited-for
	// descendant: a maximum over processes, not a sum over the tree (the
	// Sampler's PeakRSSBytes is the sum). A process started by vfork or
	// clone with a shared memory map, as os/exec starts one, has its
	// parent's high-water mark at exec carried into its own: for such a
	// process it is at least what its parent ever held.
	MaxRSSBytes uint64
	// VoluntaryCtxSwitches counts switches where the process gave up the CPU
	// (blocked); InvoluntaryCtxSwitches those where the scheduler took it.
	VoluntaryCtxSwitches   int64
	InvoluntaryCtxSwitches int64
}

// Rusage reads the usage of a process from its exit state, as returned by
// (*os.Process).Wait or (*exec.Cmd).Wait. A nil state gives zero Usage;
// fields the platform does not report are left zero.
func Rusage(state *os.ProcessState) Usage {
	if state == nil {
		return Usage{}
	}
	return rusage(state)
}
