package harness

import (
	"fmt"
	"strings"

	"github.com/poolbench/poolbench/strategies"
	"golang.org/x/sys/unix"
)

// startFailure is the error that stops a trial some of whose processes
// could not be started: its figures would measure the machine's limits, not
// the strategy. It names the limit to raise, from the first failure seen.
func startFailure(spec TrialSpec, o *strategies.Outcome) error {
	n := o.ErrorKinds[strategies.StartFailed]
	if n == 0 {
		return nil
	}
	sample := ""
	for _, s := range o.ErrorSamples {
		if limitOf(s) != "" {
			sample = s
			break
		}
	}
	limit := limitOf(sample)
	if limit == "" {
		limit, sample = "a system limit was reached", "see the error samples"
	}
	return fmt.Errorf("harness: %s on %s: %d of %d tasks could not start a process (%s): %s",
		spec.Strategy, spec.Workload, n, spec.Tasks, lastPart(sample), limit)
}

// limitOf names the limit an error message says was reached.
func limitOf(msg string) string {
	var rl unix.Rlimit
	switch {
	case strings.Contains(msg, "resource temporarily unavailable"):
		if unix.Getrlimit(unix.RLIMIT_NPROC, &rl) == nil && rl.Cur != unix.RLIM_INFINITY {
			return fmt.Sprintf("the processes and threads this user may have are used up (ulimit -u %d); lower --tasks or --workers, or raise it", rl.Cur)
		}
		return "the processes and threads this user may have are used up (ulimit -u); lower --tasks or --workers, or raise it"
	case strings.Contains(msg, "too many open files"):
		if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil {
			return fmt.Sprintf("the files this process may open are used up (ulimit -n %d); lower --tasks or --workers, or raise it", rl.Cur)
		}
		return "the files this process may open are used up (ulimit -n)"
	case strings.Contains(msg, "file table overflow"):
		return "the system's open-file table is full (fs.file-max)"
	case strings.Contains(msg, "cannot allocate memory"):
		return "the machine is out of memory for new processes; lower --tasks or --workers"
	}
	return ""
}

// lastPart is the innermost cause of an error message: "resource
// temporarily unavailable", not the chain of wrappers before it.
func lastPart(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
