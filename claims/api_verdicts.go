package claims

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
)

// The API check's verdicts, from what it recorded: pure functions, so that
// each outcome is tested on hand-made records.

func joinRunning(err error) results.Claim {
	c := results.Claim{
		ID:          7,
		Statement:   stmtJoinRunning,
		Measurement: fmt.Sprintf("a pool of %d worker processes: Join called while it runs, then again after Close", apiWorkers),
	}
	var j judgement
	switch {
	case err == nil:
		c.Figures = "Join while running returned no error; after Close it returned no error"
		j = judge(results.DoesNotHold, "does not hold: Join before Close returned nil")
	case errors.Is(err, procpool.ErrPoolRunning):
		c.Figures = fmt.Sprintf("Join while running returned %q; after Close it returned no error", err.Error())
		j = judge(results.Holds, "holds: Join before Close returns an error")
	default:
		c.Figures = fmt.Sprintf("Join while running returned %q; after Close it returned no error", err.Error())
		j = judge(results.Holds, "holds, though the error is not ErrPoolRunning")
	}
	j.set(&c)
	return c
}

// joinNeeded judges "workers only run once join is called" on how many of
// the n tasks were done before Join was first called after Close, waiting
// up to apiNoJoinWait for them.
func joinNeeded(doneBeforeJoin, n int, waited float64, workerPIDs []int) results.Claim {
	c := results.Claim{
		ID:        8,
		Statement: stmtJoinNeeded,
		Measurement: fmt.Sprintf("%d tasks submitted with ApplyAsync to a pool of %d; the check waits up to %s for them, then calls Close and Join, "+
			"and counts the tasks done before that Join (the only earlier Join, while the pool ran, returned an error at once). "+
			"In CPython too the workers start at once; what goes wrong without join is that the main process may exit first "+
			"and take its daemonic workers with it", n, apiWorkers, dur(apiNoJoinWait.Seconds())),
		Figures: fmt.Sprintf("%d of %d tasks done before Join, within %s, by %s", doneBeforeJoin, n, dur(waited), workers(workerPIDs)),
	}
	var j judgement
	switch {
	case doneBeforeJoin == 0:
		j = judge(results.Holds, "holds: no task was done before Join, after %s", dur(waited))
	case doneBeforeJoin == n:
		j = judge(results.DoesNotHold, "does not hold: every task ran before Join was called")
	default:
		j = judge(results.DoesNotHold, "does not hold: %d of %d tasks ran before Join was called", doneBeforeJoin, n)
	}
	j.set(&c)
	return c
}

func truthyResult(success, failure []callbackCall, missingErr error) results.Claim {
	var empty, valued, missingOK int
	missingFailed := 0
	for _, cc := range success {
		switch {
		case cc.task >= apiEmpty+apiValued:
			missingOK++
		case cc.valueLen == 0:
			empty++
		default:
			valued++
		}
	}
	for _, cc := range failure {
		if cc.task >= apiEmpty+apiValued {
			missingFailed++
		}
	}
	c := results.Claim{
		ID:        8,
		Statement: stmtTruthyResult,
		Measurement: fmt.Sprintf("%d noop tasks, whose value is empty, and %d tasks whose value is the pid of the worker that ran them, "+
			"each with a success and an error callback; and one task naming a function no worker has registered, which fails", apiEmpty, apiValued),
		Figures: fmt.Sprintf("the success callback ran for %d of %d empty values and %d of %d non-empty ones; "+
			"the failing task (%v) ran the error callback %s and the success callback %s",
			empty, apiEmpty, valued, apiValued, missingErr, times(missingFailed), times(missingOK)),
	}
	var j judgement
	switch {
	case empty > 0 && missingFailed == 1 && missingOK == 0:
		j = judge(results.DoesNotHold, "does not hold: called for empty values too; a failure goes to the error callback")
	case empty > 0:
		j = judge(results.DoesNotHold, "does not hold: called for empty values too")
	case valued == apiValued:
		j = judge(results.Holds, "holds: called only for non-empty values")
	default:
		j = notMeasured("the success callback ran for %d of %d tasks that returned a value", valued, apiValued)
	}
	j.set(&c)
	return c
}

func workers(p []int) string {
	switch len(p) {
	case 0:
		return "workers not recorded"
	case 1:
		return "worker " + pids(p)
	}
	return "workers " + pids(p)
}

func times(n int) string {
	switch n {
	case 0:
		return "never"
	case 1:
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// callbackPID judges where the callbacks ran from what each call recorded:
// its own pid, the worker the pool says ran its task, and, for PIDFunc
// tasks, the pid the task returned from inside that worker. self is the
// caller's pid, shown but not judged on: a callback's pid against its own
// process's pid cannot differ.
func callbackPID(calls []callbackCall, self int) results.Claim {
	var cbPIDs, taskPIDs []int
	var inTaskProcess, mismatch []string
	for _, cc := range calls {
		if !slices.Contains(cbPIDs, cc.pid) {
			cbPIDs = append(cbPIDs, cc.pid)
		}
		if cc.reported == 0 {
			continue
		}
		if !slices.Contains(taskPIDs, cc.reported) {
			taskPIDs = append(taskPIDs, cc.reported)
		}
		if cc.reported != cc.workerPID {
			mismatch = append(mismatch, fmt.Sprintf("task %d reported pid %d, the pool worker %d", cc.task, cc.reported, cc.workerPID))
		}
	}
	for _, cc := range calls {
		if slices.Contains(taskPIDs, cc.pid) {
			inTaskProcess = append(inTaskProcess, fmt.Sprintf("task %d's callback in pid %d", cc.task, cc.pid))
		}
	}
	slices.Sort(cbPIDs)
	slices.Sort(taskPIDs)
	c := results.Claim{
		ID:        5,
		Statement: stmtCallbackPID + " (pid recorded inside the callback)",
		Measurement: fmt.Sprintf("the API check's %d callbacks each record os.Getpid(); %d tasks return os.Getpid() from inside the worker that ran them, "+
			"and each result names its worker as the pool saw it; a callback holds the claim when it ran in none of the processes that ran tasks",
			len(calls), apiValued),
		Figures: fmt.Sprintf("callbacks ran in pid %s; the tasks reported pid %s from inside their workers; the caller is pid %d",
			pidList(cbPIDs), pidList(taskPIDs), self),
	}
	var j judgement
	switch {
	case len(taskPIDs) == 0:
		j = notMeasured("no task reported the pid it ran in")
	case len(mismatch) > 0:
		j = notMeasured("the pool's record of the workers disagrees with what the tasks reported (%s)", strings.Join(mismatch, "; "))
	case len(inTaskProcess) > 0:
		j = judge(results.DoesNotHold, "does not hold: %s, a process that ran tasks", strings.Join(inTaskProcess, ", "))
	default:
		j = judge(results.Holds, "holds: callbacks ran in pid %s, tasks in pid %s", pidList(cbPIDs), pidList(taskPIDs))
	}
	j.set(&c)
	return c
}
