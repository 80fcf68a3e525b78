package measure

import "golang.org/x/sys/unix"

// threadCPU returns the CPU time, in seconds, of the calling OS thread. The
// sampling goroutine locks itself to a thread, so the difference between two
// calls is the sampler's own cost, free of the rest of the process (which
// getrusage(RUSAGE_SELF) would include).
func threadCPU() (float64, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return float64(ts.Nano()) / 1e9, true
}
