package pyref

import "errors"

var (
	// ErrNotFound: no interpreter at the path given, or no python3 on PATH.
	ErrNotFound = errors.New("no python3 interpreter found")
	// ErrTooOld: the interpreter is older than MinVersion.
	ErrTooOld = errors.New("python3 is too old")
	// ErrNotPython: the program ran but did not answer as a python3 does.
	ErrNotPython = errors.New("not a working python3")
	// ErrStartMethod: the interpreter has no such multiprocessing start method.
	ErrStartMethod = errors.New("unknown multiprocessing start method")
	// ErrNoTwin: the script has no CPython twin of the workload.
	ErrNoTwin = errors.New("no CPython twin of workload")
)

// TaskError is a task that failed on the Python side. Kind is one of
// poolbench's error kinds: error, crash, timeout, lost (Pool.map dropped its
// result because another task raised) or hung (the interpreter was killed
// waiting for it).
type TaskError struct {
	Kind    string
	Message string
}

func (e *TaskError) Error() string { return e.Message }

// ErrorKind is the kind under which results.json counts this failure.
func (e *TaskError) ErrorKind() string { return e.Kind }
