package claims

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/workloads"
)

// The API check's pool and tasks: small, so that it takes well under a
// second, and enough to show two distinct workers.
const (
	apiWorkers = 2
	apiEmpty   = 2 // noop tasks, whose value is empty
	apiValued  = 2 // PIDFunc tasks, whose value is the pid of the worker that ran them
	// apiMissing names a function no worker has registered, so that its
	// task fails inside the worker.
	apiMissing = "claims.unregistered"
	// apiTimeout bounds the whole check, should a worker hang.
	apiTimeout = time.Minute
	// apiNoJoinWait bounds how long the check waits for the tasks before
	// it calls Join: were workers to run only once Join is called, the
	// tasks would still be pending when it runs out.
	apiNoJoinWait = 20 * time.Second
)

// PIDFunc is the name of a function every poolbench worker can run: it
// returns the pid of the process that ran it, as that process sees it, so
// that where a task ran is recorded inside the worker itself.
const PIDFunc = "claims.pid"

func init() {
	err := workloads.RegisterFunc(PIDFunc, func([]byte) ([]byte, error) {
		return strconv.AppendInt(nil, int64(os.Getpid()), 10), nil
	})
	if err != nil {
		panic(err) // registered twice: a programming error
	}
}

// callbackCall is one call of a success or error callback.
type callbackCall struct {
	task      int
	pid       int // os.Getpid() inside the callback
	workerPID int // the worker that ran the task, as the pool reports it
	reported  int // the pid a PIDFunc task returned from inside its worker, or 0
	valueLen  int
	err       error
}

// apiLog collects the callbacks' calls; callbacks run on the pool's result
// goroutine, read on the caller's.
type apiLog struct {
	mu      sync.Mutex
	success []callbackCall
	failure []callbackCall
}

func (l *apiLog) callbacks(task int) (onSuccess, onError procpool.Callback) {
	record := func(list *[]callbackCall) procpool.Callback {
		return func(r procpool.Result) {
			cc := callbackCall{task: task, pid: os.Getpid(), workerPID: r.WorkerPID, valueLen: len(r.Value), err: r.Err}
			if task >= apiEmpty && task < apiEmpty+apiValued && r.Err == nil {
				cc.reported, _ = strconv.Atoi(string(r.Value))
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			*list = append(*list, cc)
		}
	}
	return record(&l.success), record(&l.failure)
}

// CheckAPI tests the article's statements about the pool's API on a real
// pool of two worker processes: that Join before Close or Terminate is an
// error, that workers run without Join, that the callback runs for empty
// results too (and failures go to the error callback), and that callbacks
// run in the calling process while tasks run in the workers.
//
// The program must call procpool.ServeIfWorker at start-up: the workers are
// copies of it.
func CheckAPI(ctx context.Context) ([]results.Claim, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	pool, err := procpool.New(apiWorkers)
	if err != nil {
		return nil, fmt.Errorf("claims: check api: %w", err)
	}
	joined := false
	defer func() {
		if !joined {
			pool.Terminate()
			pool.Join()
		}
	}()

	// Join while the pool runs.
	runningJoinErr := pool.Join()

	// Tasks with callbacks, awaited without Join; then Close and Join.
	var log apiLog
	type submitted struct {
		fn string
		ar *procpool.AsyncResult
	}
	var tasks []submitted
	start := time.Now()
	for i := range apiEmpty + apiValued + 1 {
		t := procpool.Task{Func: workloads.NoopName}
		switch {
		case i >= apiEmpty+apiValued:
			t = procpool.Task{Func: apiMissing}
		case i >= apiEmpty:
			t = procpool.Task{Func: PIDFunc}
		}
		onSuccess, onError := log.callbacks(i)
		ar, err := pool.ApplyAsync(t, onSuccess, onError)
		if err != nil {
			return nil, fmt.Errorf("claims: check api: submit %s: %w", t.Func, err)
		}
		tasks = append(tasks, submitted{t.Func, ar})
	}
	// Wait for the tasks, up to a bound, before any Join after Close.
	waitCtx, stopWait := context.WithTimeout(ctx, apiNoJoinWait)
	for _, t := range tasks {
		select {
		case <-t.ar.Done():
		case <-waitCtx.Done():
		}
	}
	stopWait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("claims: check api: waiting for the tasks: %w", ctx.Err())
	}
	doneBeforeJoin := 0
	for _, t := range tasks {
		if t.ar.Ready() {
			doneBeforeJoin++
		}
	}
	waited := time.Since(start).Seconds()

	pool.Close()
	closedJoinErr := pool.Join()
	joined = true
	if closedJoinErr != nil {
		return nil, fmt.Errorf("claims: check api: join after close: %w", closedJoinErr)
	}
	var workerPIDs []int
	var missingErr error
	for _, t := range tasks {
		_, err := t.ar.Get(ctx)
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("claims: check api: waiting for task %s: %w", t.fn, ctx.Err())
		case t.fn == apiMissing:
			if err == nil {
				return nil, fmt.Errorf("claims: check api: task %s succeeded; it should have failed", apiMissing)
			}
			missingErr = err
		case err != nil:
			return nil, fmt.Errorf("claims: check api: task %s: %w", t.fn, err)
		default:
			if pid := t.ar.Result().WorkerPID; !slices.Contains(workerPIDs, pid) {
				workerPIDs = append(workerPIDs, pid)
			}
		}
	}
	slices.Sort(workerPIDs)

	log.mu.Lock()
	defer log.mu.Unlock()
	return []results.Claim{
		joinRunning(runningJoinErr),
		joinNeeded(doneBeforeJoin, len(tasks), waited, workerPIDs),
		truthyResult(log.success, log.failure, missingErr),
		callbackPID(append(slices.Clone(log.success), log.failure...), os.Getpid()),
	}, nil
}

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
