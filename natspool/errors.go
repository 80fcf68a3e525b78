package natspool

import (
	"errors"
	"fmt"
	"time"

	"github.com/poolbench/poolbench/natspool/internal/wire"
	"github.com/poolbench/poolbench/natspool/natsworker"
	"github.com/poolbench/poolbench/procpool"
)

// The pool's sentinel errors are procpool's own, so that a caller checks
// errors.Is(err, procpool.ErrPoolClosed) once for either pool.
var (
	ErrPoolClosed    = procpool.ErrPoolClosed
	ErrPoolRunning   = procpool.ErrPoolRunning
	ErrTerminated    = procpool.ErrTerminated
	ErrNotReady      = procpool.ErrNotReady
	ErrTimeout       = procpool.ErrTimeout
	ErrFrameTooLarge = procpool.ErrFrameTooLarge
	// ErrNoPool is returned to a worker that finds no pool to serve.
	ErrNoPool = natsworker.ErrNoPool
	// ErrPoolGone ends a worker whose pool stopped answering.
	ErrPoolGone = natsworker.ErrPoolGone
	// ErrServerLost fails a pool's tasks, and ends ServeHost, when the
	// server stays out of reach longer than the grace given.
	ErrServerLost = errors.New("natspool: lost the server")
)

// TaskError is a task that failed inside a worker: the function returned an
// error or panicked, or the worker had no function of that name. For a
// panic, Msg is "panic: " and the panic's value, and Stack is the worker's
// stack at the panic (printed by %+v), as procpool's TaskError has it.
type TaskError struct {
	Func   string
	Worker string // host/pid
	Msg    string
	Stack  string

	unknownFunc bool // the worker had no function of that name
}

// taskError is the TaskError a result's failed status and payload stand for.
func taskError(fn, worker string, status byte, payload []byte) *TaskError {
	switch status {
	case wire.StatusPanic:
		msg, stack := procpool.SplitPanic(payload)
		return &TaskError{Func: fn, Worker: worker, Msg: "panic: " + msg, Stack: stack}
	case wire.StatusUnknown:
		return &TaskError{Func: fn, Worker: worker, Msg: string(payload), unknownFunc: true}
	}
	return &TaskError{Func: fn, Worker: worker, Msg: string(payload)}
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("natspool: task %s in worker %s: %s", e.Func, e.Worker, e.Msg)
}

// Is makes errors.Is(err, procpool.ErrTaskPanicked) true for a panic, and
// errors.Is(err, procpool.ErrUnknownFunc) for a function the worker did
// not have (a worker binary built without it), as for procpool's tasks.
func (e *TaskError) Is(target error) bool {
	switch target {
	case procpool.ErrTaskPanicked:
		return e.Stack != ""
	case procpool.ErrUnknownFunc:
		return e.unknownFunc
	}
	return false
}

// Format prints the stack too under %+v; every other verb formats Error()
// as a string would be, as procpool's TaskError does.
func (e *TaskError) Format(f fmt.State, verb rune) {
	procpool.FormatTaskError(f, verb, e.Error(), e.Stack)
}

// EncodingError fails a task whose result did not fit the server's
// messages (their limit less the result's own framing). The worker noticed
// before sending it and went on: only this task fails, as with procpool's
// EncodingError, and errors.Is(err, ErrFrameTooLarge) holds for both.
type EncodingError struct {
	Func   string
	Worker string // host/pid
	Size   int64  // the result's size in bytes
	Limit  int    // the largest result that would have fitted
}

func (e *EncodingError) Error() string {
	return fmt.Sprintf("natspool: task %s in worker %s: result of %d bytes over the %d-byte limit of the server's messages", e.Func, e.Worker, e.Size, e.Limit)
}

func (e *EncodingError) Unwrap() error { return ErrFrameTooLarge }

// encodingError is the error a StatusTooLarge result's payload stands for.
func encodingError(fn, worker string, payload []byte) error {
	size, limit, err := wire.DecodeTooLarge(payload)
	if err != nil {
		return fmt.Errorf("natspool: task %s in worker %s: %w", fn, worker, err)
	}
	return &EncodingError{Func: fn, Worker: worker, Size: int64(size), Limit: limit}
}

// WorkerLostError fails a task whose worker was lost as many times as the
// pool redelivers it: the worker's process died, its host stopped sending
// heartbeats, or its connection closed. Worker names the last one.
type WorkerLostError struct {
	Worker     string // host/pid
	Func       string
	Deliveries int
	Cause      error
}

func (e *WorkerLostError) Error() string {
	return fmt.Sprintf("natspool: worker %s lost with task %s (delivered %d times): %v", e.Worker, e.Func, e.Deliveries, e.Cause)
}

func (e *WorkerLostError) Unwrap() error { return e.Cause }

// TimeoutError is the cause given when a worker is stopped because its task
// ran past the pool's TaskTimeout.
type TimeoutError = procpool.TimeoutError

// idleError is the cause when a worker's heartbeats said it ran nothing
// while the owner waited for results from it.
type idleError struct{ after time.Duration }

func (e *idleError) Error() string {
	return fmt.Sprintf("its result never came: the worker has run nothing for %v", e.after.Round(time.Millisecond))
}

// silenceError is the cause when a worker stopped sending heartbeats.
type silenceError struct{ after time.Duration }

func (e *silenceError) Error() string {
	return fmt.Sprintf("no heartbeat for %v", e.after.Round(time.Millisecond))
}

// ErrorKind classifies the loss for a run's error breakdown: a timeout, or
// a crash (the worker's process or host was lost).
func (e *WorkerLostError) ErrorKind() string {
	if _, ok := e.Cause.(*TimeoutError); ok {
		return "timeout"
	}
	return "crash"
}
