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
	// ErrNotReady is returned by AsyncResult.Successful before the task is done.
	ErrNotReady = errors.New("procpool: result not ready")
	// ErrTimeout is returned by AsyncResult.GetTimeout when time runs out.
	ErrTimeout = errors.New("procpool: timed out waiting for the result")
	// ErrFrameTooLarge is returned for a frame over the size limit.
	ErrFrameTooLarge = errors.New("procpool: frame too large")
	// ErrProtocol is returned for a frame that does not decode.
	ErrProtocol = errors.New("procpool: protocol error")
)

// TaskError is a task that failed inside a worker: the function returned an
// error or panicked.
type TaskError struct {
	Func string
	PID  int
	Msg  string
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("procpool: task %s in worker %d: %s", e.Func, e.PID, e.Msg)
}

// WorkerDiedError fails the task a worker was running when it died.
type WorkerDiedError struct {
	PID   int
	Func  string
	State *os.ProcessState // nil if the exit status could not be read
	Cause error            // what the parent saw: EOF, a protocol error, ...
}

func (e *WorkerDiedError) Error() string {
	status := "unknown exit status"
	if e.State != nil {
		status = e.State.String()
	}
	msg := fmt.Sprintf("procpool: worker %d died running task %s: %s", e.PID, e.Func, status)
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
