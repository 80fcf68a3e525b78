package procpool

import (
	"context"
	"time"

	"github.com/poolbench/poolbench/internal/delivery"
)

// Task names a registered function and carries its arguments.
type Task struct {
	Func string
	Args []byte
}

// Result is what became of one task.
type Result struct {
	Value []byte
	// Err is a *TaskError when the function failed, a *WorkerDiedError when
	// its worker died, or ErrTerminated.
	Err error
	// WorkerPID is the pid of the worker that ran the task (0 if none did).
	WorkerPID int
	// Submitted and Delivered are the parent's clock: when the task was
	// handed to the pool and when its result reached the pool. Started and
	// Finished are the worker's clock around the function call.
	Submitted, Started, Finished, Delivered time.Time
}

// Latency is the task's time from submission to delivery: queueing, IPC and
// the run itself.
func (r Result) Latency() time.Duration { return r.Delivered.Sub(r.Submitted) }

// Callback receives a task's result in the parent process. Callbacks of one
// pool run one at a time on one goroutine, in completion order, so a
// callback may write to a log or a map without a lock.
type Callback func(Result)

// AsyncResult is a handle on a submitted task, like Python's ApplyResult.
type AsyncResult struct {
	id        uint64
	task      Task
	onSuccess Callback
	onError   Callback
	// notify, if set, receives the handle once it is ready (ImapUnordered).
	notify chan<- *AsyncResult
	// batchIndex is the handle's chunk in a Map-like call.
	batchIndex int
	// chunkOf is the function a chunk task calls, which its errors name
	// (not the chunk's own task name).
	chunkOf string
	// ownArgs: task.Args is the pool's own (an encoded chunk), no copy needed.
	ownArgs bool

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

// GetTimeout is Get with a timeout, as Python's get(timeout); it returns
// ErrTimeout when the time runs out first.
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

// spinUntilReady polls for completion for up to d.
func (a *AsyncResult) spinUntilReady(d time.Duration) {
	deadline := time.Now().Add(d)
	for i := 0; !a.Ready(); i++ {
		if i%64 == 63 && time.Now().After(deadline) {
			return
		}
	}
}

// Ready reports whether the task is done.
func (a *AsyncResult) Ready() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// Successful reports whether the task succeeded; ErrNotReady before it is
// done, as Python raises ValueError.
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
// pool's own process, by construction; recorded so that it is shown rather
// than assumed). Zero when no callback was set or before it ran.
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
