package claims

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/workloads"
)

// The API check's pool and tasks: small, so that it takes well under a
// second, and enough to show two distinct workers.
const (
	apiWorkers   = 2
	apiEmpty     = 2    // noop tasks, whose value is empty
	apiValued    = 2    // cpu tasks, whose value is a 32-byte digest
	apiCPURounds = 1000 // hash rounds of each cpu task
	// apiMissing names a function no worker has registered, so that its
	// task fails inside the worker.
	apiMissing = "claims.unregistered"
	// apiTimeout bounds the whole check, should a worker hang.
	apiTimeout = time.Minute
)

// callbackCall is one call of a success or error callback.
type callbackCall struct {
	task      int
	pid       int // os.Getpid() inside the callback
	workerPID int
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
			l.mu.Lock()
			defer l.mu.Unlock()
			*list = append(*list, callbackCall{task: task, pid: os.Getpid(), workerPID: r.WorkerPID, valueLen: len(r.Value), err: r.Err})
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

	// Tasks with callbacks, awaited with Get; Join is not called.
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
			t = procpool.Task{Func: workloads.CPUName, Args: workloads.Args(apiCPURounds, uint64(i))}
		}
		onSuccess, onError := log.callbacks(i)
		ar, err := pool.ApplyAsync(t, onSuccess, onError)
		if err != nil {
			return nil, fmt.Errorf("claims: check api: submit %s: %w", t.Func, err)
		}
		tasks = append(tasks, submitted{t.Func, ar})
	}
	var workerPIDs []int
	var missingErr error
	done := 0
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
			done++
			if pid := t.ar.Result().WorkerPID; !slices.Contains(workerPIDs, pid) {
				workerPIDs = append(workerPIDs, pid)
			}
		}
	}
	elapsed := time.Since(start).Seconds()
	slices.Sort(workerPIDs)

	pool.Close()
	closedJoinErr := pool.Join()
	joined = true
	if closedJoinErr != nil {
		return nil, fmt.Errorf("claims: check api: join after close: %w", closedJoinErr)
	}

	log.mu.Lock()
	defer log.mu.Unlock()
	return []results.Claim{
		joinRunning(runningJoinErr),
		joinNeeded(done, elapsed, workerPIDs),
		truthyResult(log.success, log.failure, missingErr),
		callbackPID(log.success, log.failure, workerPIDs),
	}, nil
}

func joinRunning(err error) results.Claim {
	c := results.Claim{
		ID:          7,
		Statement:   stmtJoinRunning,
		Measurement: fmt.Sprintf("a pool of %d worker processes: Join called while it runs, then again after Close", apiWorkers),
	}
	if err == nil {
		c.Figures = "Join while running returned no error; after Close it returned no error"
		c.Verdict = "does not hold: Join before Close returned nil"
		return c
	}
	c.Figures = fmt.Sprintf("Join while running returned %q; after Close it returned no error", err.Error())
	c.Verdict = "holds: Join before Close returns an error"
	if !errors.Is(err, procpool.ErrPoolRunning) {
		c.Verdict = "holds, though the error is not ErrPoolRunning"
	}
	return c
}

func joinNeeded(done int, elapsed float64, workerPIDs []int) results.Claim {
	n := apiEmpty + apiValued
	c := results.Claim{
		ID:        8,
		Statement: stmtJoinNeeded,
		Measurement: fmt.Sprintf("%d tasks submitted with ApplyAsync to a pool of %d and awaited with AsyncResult.Get, Join never called. "+
			"In CPython too the workers start at once; what goes wrong without join is that the main process may exit first "+
			"and take its daemonic workers with it", n, apiWorkers),
		Figures: fmt.Sprintf("%d of %d tasks done in %s, with no Join, by %s", done, n, dur(elapsed), workers(workerPIDs)),
	}
	if done == n {
		c.Verdict = "does not hold: every task ran without Join"
	} else {
		c.Verdict = fmt.Sprintf("holds: only %d of %d tasks ran without Join", done, n)
	}
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
		Measurement: fmt.Sprintf("%d noop tasks, whose value is empty, and %d cpu tasks, whose value is a digest, each with a success and an error callback; "+
			"and one task naming a function no worker has registered, which fails", apiEmpty, apiValued),
		Figures: fmt.Sprintf("the success callback ran for %d of %d empty values and %d of %d non-empty ones; "+
			"the failing task (%v) ran the error callback %s and the success callback %s",
			empty, apiEmpty, valued, apiValued, missingErr, times(missingFailed), times(missingOK)),
	}
	switch {
	case empty == apiEmpty && missingFailed == 1 && missingOK == 0:
		c.Verdict = "does not hold: called for empty values too"
	case empty == 0 && valued == apiValued:
		c.Verdict = "holds: called only for non-empty values"
	default:
		c.Verdict = "does not hold: the callbacks ran as the figures show"
	}
	return c
}

func workers(p []int) string {
	if len(p) == 1 {
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

func callbackPID(success, failure []callbackCall, workerPIDs []int) results.Claim {
	self := os.Getpid()
	var cbPIDs []int
	for _, cc := range append(slices.Clone(success), failure...) {
		if !slices.Contains(cbPIDs, cc.pid) {
			cbPIDs = append(cbPIDs, cc.pid)
		}
	}
	slices.Sort(cbPIDs)
	c := results.Claim{
		ID:          5,
		Statement:   stmtCallbackPID + " (pid recorded inside the callback)",
		Measurement: fmt.Sprintf("the API check's %d callbacks each record os.Getpid(); each result names the worker that ran its task", len(success)+len(failure)),
		Figures:     fmt.Sprintf("callbacks ran in pid %s; the caller is pid %d; the tasks ran in %s", pids(cbPIDs), self, workers(workerPIDs)),
	}
	inWorker := slices.Contains(workerPIDs, self)
	switch {
	case len(cbPIDs) == 1 && cbPIDs[0] == self && !inWorker && len(workerPIDs) > 0:
		c.Verdict = "holds: callbacks in the caller, tasks in workers"
	case inWorker:
		c.Verdict = "does not hold: a task ran in the caller"
	default:
		c.Verdict = "does not hold: a callback ran outside the caller"
	}
	return c
}
