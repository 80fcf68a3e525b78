// Package claims tests the statements of the tutorial poolbench follows
// against what a run measured: Evaluate reads a results.Run, CheckAPI
// exercises a small process pool. Each claim carries the figures it was
// judged on and a verdict computed from them with the thresholds below,
// which the claim's Measurement text quotes.
//
// A verdict is only as good as its figures, so each claim first checks that
// the run can test it (the pool size and task count the claim names, enough
// work per task, tasks that did not fail, results that match serial's) and
// otherwise says "not measured" and why. Figures whose repeats spread widely
// are judged, with that caveat in the verdict.
//
// A program that calls CheckAPI must call procpool.ServeRole first
// thing in main (or TestMain), as every user of procpool must.
package claims

import (
	"github.com/poolbench/poolbench/results"
)

// Thresholds the verdicts are computed with.
const (
	// MinSpeedup is the speedup over serial that counts as going faster;
	// below it, a strategy gave no useful parallelism.
	MinSpeedup = 1.2
	// NearIdeal is the share of the ideal speedup a pool must reach for
	// "about N× faster" to hold.
	NearIdeal = 0.75
	// CostRatio is how many times the pool's summed spawn time and peak
	// memory a process per task must take for "costs much more" to hold.
	CostRatio = 2.0
	// MinTaskSeconds is the least serial time per task a speed claim is
	// judged on: below it, what is timed is the strategy's own overhead
	// (starting goroutines, a pipe round trip), not the work.
	MinTaskSeconds = 1e-3
	// TenfoldPool is the pool size claim 3 names, and TenfoldMinIdeal the
	// least ideal speedup its task count must allow for "about 10×" to be
	// reachable: 100 tasks in a pool of 10 allow 10×, 15 tasks only 7.5×.
	TenfoldPool     = 10
	TenfoldMinIdeal = 9.0
	// MaxEfficiency is the share of its ideal time above which a result
	// measured beside other work is not believed: nothing runs faster than
	// its ideal, so its baseline was slowed (as the harness flags it).
	MaxEfficiency = 1.05
)

// The article's statements, as the claims table shows them.
const (
	stmtThreadsCPU   = "Threads do not speed up CPU-bound work (in Python, because of the GIL)"
	stmtThreadsIO    = "Threads do speed up I/O-bound work"
	stmtProcPerTask  = "One process per task costs much more than a pool (spawn cost, memory)"
	stmtPoolTenfold  = "A pool of 10 runs 100 sleeping tasks about 10× faster than serial"
	stmtApplyAsync   = "apply gives no parallelism; apply_async does"
	stmtCallbackPID  = "Callbacks run in the parent process"
	stmtSharedLog    = "Unlocked concurrent appends corrupt the log; a lock or a single writer keeps it whole"
	stmtJoinRunning  = "join before close or terminate is an error"
	stmtJoinNeeded   = "Workers only run once join is called"
	stmtTruthyResult = "The callback is called only when the task returns a value"
)

// Evaluate states each claim of the article that run has the data for, with
// its figures and verdict. Claims whose strategies, workloads or logging
// modes the run did not measure are left out; those it measured but cannot
// judge are kept, with a "not measured" verdict that says why.
func Evaluate(run *results.Run) []results.Claim {
	if run == nil {
		return nil
	}
	var out []results.Claim
	add := func(c results.Claim, ok bool) {
		if ok {
			out = append(out, c)
		}
	}
	add(threadsCPU(run))
	add(threadsIO(run))
	add(pyThreads(run, "cpu"))
	add(pyThreads(run, "io"))
	for _, judge := range []func(*results.Run, family) (results.Claim, bool){processPerTask, poolTenfold, applyVsAsync} {
		for _, fam := range families {
			add(judge(run, fam))
		}
	}
	for _, fam := range families {
		add(callbacksInParent(run, fam))
	}
	add(sharedLog(run))
	return out
}

// family names one implementation's strategies: Go's own, or CPython's own
// run by the system python3, each against its own serial baseline.
type family struct {
	// suffix is added to the statement, so that a reader tells them apart.
	suffix                        string
	serial, perTask, apply, async string
}

var families = []family{
	{"", "serial", "process-per-task", "pool-apply", "pool-apply-async"},
	{", measured on CPython", "py-serial", "py-process-per-task", "py-pool-apply", "py-pool-apply-async"},
}

func taskSize(run *results.Run, workload string) string {
	if s := run.Config.TaskSize[workload]; s != "" {
		return " of " + s
	}
	return ""
}
