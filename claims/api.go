package claims

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
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
// The program must call procpool.ServeRole at start-up: the workers are
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
