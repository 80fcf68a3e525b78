package natspool

import (
	"context"
	"time"

	"github.com/poolbench/poolbench/internal/delivery"
	"github.com/poolbench/poolbench/procpool"
)

// Task names a registered function and carries its arguments.
type Task = procpool.Task

// Result is what became of one task.
type Result struct {
	Value []byte
	// Err is a *TaskError when the function failed, a *WorkerLostError when
	// its workers were lost, or ErrTerminated.
	Err error
	// Worker names the worker that ran the task (host/pid), on Host, as
	// process WorkerPID there; empty if none did.
	Worker    string
	Host      string
	WorkerPID int
	// Deliveries is how many times the task was handed to a worker: more
	// than one when a worker was lost holding it, at most MaxDeliver.
	Deliveries int
	// Submitted and Delivered are the owner's clock: when the task was
	// handed to the pool and when its result reached the pool. Started and
	// Finished are the worker's clock (another host's, perhaps) around the
	// function call.
	Submitted, Started, Finished, Delivered time.Time
}

// Latency is the task's time from submission to delivery: queueing, the
// trips through the server and the run itself.
func (r Result) Latency() time.Duration { return r.Delivered.Sub(r.Submitted) }

// Callback receives a task's result in the owner's process. Callbacks of one
// pool run one at a time on one goroutine, in completion order.
type Callback func(Result)

// AsyncResult is a handle on a submitted task, like Python's ApplyResult.
type AsyncResult struct {
	id        uint64
	task      Task
	onSuccess Callback
	onError   Callback
	notify    chan<- *AsyncResult
	// batchIndex is the handle's chunk in a Map-like call.
	batchIndex int
	// chunkOf is the function a chunk task calls, which its errors name
	// (not the chunk's own task name).
	chunkOf string

	// guarded by the pool's mutex until done is closed
	worker     *worker
	deliveries int
	// suspect: it was held by a lost worker that may have been running it;
	// it goes only to a worker with nothing else to do.
	suspect bool

	result      Result
	callbackPID int
	done        chan struct{}
}

// Get waits for the task and returns its value, or its error, or ctx's.
func (a *AsyncResult) Get(ctx context.Context) ([]byte, error) {
	select {
	case <-a.done:
		return a.result.Value, a.result.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// GetTimeout is Get with a timeout; it returns ErrTimeout when time runs out.
func (a *AsyncResult) GetTimeout(d time.Duration) ([]byte, error) {
	if !delivery.Within(a.done, d) {
		return nil, ErrTimeout
	}
	return a.result.Value, a.result.Err
}

// Wait blocks until the task is done and its callback has run.
func (a *AsyncResult) Wait() { <-a.done }

// Done is closed when the task is done and its callback has run.
func (a *AsyncResult) Done() <-chan struct{} { return a.done }

// Ready reports whether the task is done.
func (a *AsyncResult) Ready() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// Successful reports whether the task succeeded; ErrNotReady before it is done.
func (a *AsyncResult) Successful() (bool, error) {
	if !a.Ready() {
		return false, ErrNotReady
	}
	return a.result.Err == nil, nil
}

// Result returns the whole result; it blocks until the task is done.
func (a *AsyncResult) Result() Result {
	<-a.done
	return a.result
}

// CallbackPID is the pid of the process that ran this task's callback (the
// owner's, by construction; recorded so that it is shown rather than
// assumed). Zero when no callback was set.
func (a *AsyncResult) CallbackPID() int {
	<-a.done
	return a.callbackPID
}

// funcName is the function the caller asked for, which errors name: a
// chunk's, for a chunk task.
func (a *AsyncResult) funcName() string {
	if a.chunkOf != "" {
		return a.chunkOf
	}
	return a.task.Func
}
