package procpool

import (
	"errors"
	"fmt"
	"os"
	"time"
)

var (
	// ErrPoolClosed is returned when a task is submitted after Close or Terminate.
	ErrPoolClosed = errors.New("procpool: pool is closed")
	// ErrPoolRunning is returned by Join before Close or Terminate, as Python
	// raises ValueError("Pool is still running").
	ErrPoolRunning = errors.New("procpool: pool is still running; call Close or Terminate before Join")
	// ErrTerminated fails the tasks that were pending when Terminate was called.
	ErrTerminated = errors.New("procpool: pool terminated")
	// ErrNoWorkers fails the tasks left queued in a NoRespawn pool whose
	// workers have all gone.
	ErrNoWorkers = errors.New("procpool: no workers left to run the task (NoRespawn)")
	// ErrNotReady is returned by AsyncResult.Successful before the task is done.
	ErrNotReady = errors.New("procpool: result not ready")
	// ErrTimeout is returned by AsyncResult.GetTimeout when time runs out.
	ErrTimeout = errors.New("procpool: timed out waiting for the result")
	// ErrFrameTooLarge is returned for a frame over the size limit.
	ErrFrameTooLarge = errors.New("procpool: frame too large")
	// ErrProtocol is returned for a frame that does not decode.
	ErrProtocol = errors.New("procpool: protocol error")
	// ErrUnknownFunc is returned by Lookup for a name nobody registered,
	// and a task of such a name fails with a TaskError that matches it
	// (errors.Is): a worker binary built without the function, say.
	ErrUnknownFunc = errors.New("unknown function")
	// ErrTaskPanicked is matched by errors.Is for a TaskError whose function
	// panicked rather than returned an error.
	ErrTaskPanicked = errors.New("procpool: task panicked")
	// ErrUnknownRole is returned by ServeRole for a role this executable
	// does not have.
	ErrUnknownRole = errors.New("unknown role")
	// ErrRoleNotServed is returned by New (and CheckRoleServed) in a
	// process that was started to play a role and has not called ServeRole
	// (or ServeIfWorker), which its main must do first thing.
	ErrRoleNotServed = errors.New("its main did not call procpool.ServeRole first thing")
)

// TaskError is a task that failed inside a worker: the function returned an
// error or panicked, or the worker had no function of that name (it matches
// ErrUnknownFunc). For a panic, Msg is "panic: " and the panic's value, and
// Stack is the worker's stack at the panic (printed by %+v), as Python
// attaches the remote traceback. What crosses from the worker is the error's
// text: an error the function wrapped (%w) is not there for errors.Is; a
// sentinel a caller must tell apart belongs in the result value instead.
type TaskError struct {
	Func  string
	PID   int
	Msg   string
	Stack string

	unknownFunc bool // the worker had no function of that name
}

// taskError is the TaskError a failed status and its payload stand for.
func taskError(fn string, pid int, status byte, payload []byte) *TaskError {
	switch status {
	case statusPanic:
		msg, stack := SplitPanic(payload)
		return &TaskError{Func: fn, PID: pid, Msg: "panic: " + msg, Stack: stack}
	case statusUnknown:
		return &TaskError{Func: fn, PID: pid, Msg: string(payload), unknownFunc: true}
	}
	return &TaskError{Func: fn, PID: pid, Msg: string(payload)}
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("procpool: task %s in worker %d: %s", e.Func, e.PID, e.Msg)
}

// Is makes errors.Is(err, ErrTaskPanicked) true for a panic, and
// errors.Is(err, ErrUnknownFunc) for a function the worker did not have
// (a worker binary built without it, see Command).
func (e *TaskError) Is(target error) bool {
	switch target {
	case ErrTaskPanicked:
		return e.Stack != ""
	case ErrUnknownFunc:
		return e.unknownFunc
	}
	return false
}

// Format prints the stack too under %+v.
// Every other verb formats Error() as a string would be (%q quotes it).
func (e *TaskError) Format(f fmt.State, verb rune) { FormatTaskError(f, verb, e.Error(), e.Stack) }

// EncodingError fails a task whose result did not fit the pool's frame
// limit (MaxFrame). The worker noticed before sending it and went on: only
// this task fails, as CPython's worker reports an unpicklable result.
type EncodingError struct {
	Func  string
	PID   int
	Size  int64 // the result's size in bytes
	Limit int   // the largest result the limit allows
}

func (e *EncodingError) Error() string {
	return fmt.Sprintf("procpool: task %s in worker %d: result of %d bytes over the %d-byte limit", e.Func, e.PID, e.Size, e.Limit)
}

func (e *EncodingError) Unwrap() error { return ErrFrameTooLarge }

// WorkerDiedError fails the task a worker was running when it died, and a
// task that had finished but whose result died unsent with it (Finished):
// a task runs at most once, so neither is run again. A worker sends the
// results of short tasks (under about 100 µs) in batches while it runs the
// next, so a crash can take several finished ones with it; Prefetch(0),
// which hands a worker one task at a time, leaves it none to take (a
// chunk's calls are one task: a crash in one fails those done before it).
type WorkerDiedError struct {
	PID      int
	Func     string
	State    *os.ProcessState // nil if the exit status could not be read
	Cause    error            // what the parent saw: EOF, a protocol error, ...
	Finished bool             // the task had finished; its result was lost
}

func (e *WorkerDiedError) Error() string {
	status := "unknown exit status"
	if e.State != nil {
		status = e.State.String()
	}
	msg := fmt.Sprintf("procpool: worker %d died running task %s: %s", e.PID, e.Func, status)
	if e.Finished {
		msg = fmt.Sprintf("procpool: worker %d died after task %s finished, before its result was sent: %s", e.PID, e.Func, status)
	}
	if e.Cause != nil && !errors.Is(e.Cause, errEOF) {
		msg += " (" + e.Cause.Error() + ")"
	}
	return msg
}

func (e *WorkerDiedError) Unwrap() error { return e.Cause }

// TimeoutError is the cause given when a worker is killed because its task
// ran past the pool's TaskTimeout.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string { return fmt.Sprintf("task ran past its %v timeout", e.After) }
