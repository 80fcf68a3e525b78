package claims

import (
	"fmt"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// Claim 5: callbacks run in the parent process. The pid each callback
// recorded is set against the pids of the workers that ran the tasks, as the
// pool reported them with each result: two records made apart. (Against the
// pool owner's own pid alone it could not come out otherwise.)
// CPython's pool (py-pool-apply-async) is judged the same way: its workers
// return their pid with each result, and its owner is the interpreter.
func callbacksInParent(run *results.Run, fam family) (results.Claim, bool) {
	var figs []string
	var parts []labelled
	var sizes []int
	for i := range run.Results {
		if r := &run.Results[i]; r.Strategy == fam.async && !slices.Contains(sizes, poolSize(run, r)) {
			sizes = append(sizes, poolSize(run, r))
		}
	}
	for i := range run.Results {
		r := &run.Results[i]
		if r.Strategy != fam.async || (len(r.CallbackPIDs) == 0 && len(r.WorkerPIDs) == 0) {
			continue
		}
		label := r.Workload
		if len(sizes) > 1 {
			label += ", " + poolLabel(poolSize(run, r))
		}
		figs = append(figs, fmt.Sprintf("%s: callbacks ran in pid %s; the tasks ran in %s; the pool's owner was pid %d",
			label, pidList(r.CallbackPIDs), workers(r.WorkerPIDs), r.ParentPID))
		parts = append(parts, labelled{label, judgeCallbacks(r)})
	}
	if len(parts) == 0 {
		return results.Claim{}, false
	}
	owner := "the trial process"
	if fam.serial != "serial" {
		owner = "the python3 interpreter"
	}
	c := results.Claim{
		ID:        5,
		Statement: stmtCallbackPID + fam.suffix,
		Measurement: fam.async + ", last measured trial: the distinct pids that ran the result callbacks (os.Getpid() inside each), " +
			"against the pids of the workers that ran the tasks (as the pool reported them with each result) and the pid of " + owner + " that owned the pool",
		Figures: strings.Join(figs, "; "),
	}
	combine(parts).set(&c)
	return c, true
}

func judgeCallbacks(r *results.Result) judgement {
	if why := allFailed(r); why != "" {
		return notMeasured("%s", why)
	}
	if len(r.WorkerPIDs) == 0 {
		return notMeasured("the results do not say which workers ran the tasks, and a callback's pid set against its own process's pid cannot differ")
	}
	if len(r.CallbackPIDs) == 0 {
		return notMeasured("no callback ran")
	}
	var inWorker, elsewhere []string
	for _, pid := range r.CallbackPIDs {
		switch {
		case slices.Contains(r.WorkerPIDs, pid):
			inWorker = append(inWorker, fmt.Sprint(pid))
		case pid != r.ParentPID:
			elsewhere = append(elsewhere, fmt.Sprint(pid))
		}
	}
	switch {
	case len(inWorker) > 0:
		return judge(results.DoesNotHold, "does not hold: callbacks ran in worker %s, which ran tasks", strings.Join(inWorker, ", "))
	case len(elsewhere) > 0:
		return judge(results.DoesNotHold, "does not hold: callbacks ran in pid %s, not the pool's owner", strings.Join(elsewhere, ", "))
	case slices.Contains(r.WorkerPIDs, r.ParentPID):
		return judge(results.DoesNotHold, "does not hold: the pool's owner ran tasks itself")
	}
	return judge(results.Holds, "holds: every callback ran in the pool's owner, none in a worker that ran tasks")
}

// pidList is "42, 43", or "none".
func pidList(p []int) string {
	if len(p) == 0 {
		return "none"
	}
	return pids(p)
}
