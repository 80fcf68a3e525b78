package procpool

import (
	"fmt"
	"os"
)

// What another pool needs to run this registry's functions, chunks and
// typed functions with this pool's own code (natspool over NATS): the
// worker's call, and the chunk format's two ends.

// Run calls the function registered under name as a worker does: a task
// made by ChunkTask runs each of its calls, and a panic is returned as an
// error (a TaskError's message, "panic: ..."), not raised.
func Run(name string, args []byte) ([]byte, error) {
	value, _, err := runTask(name, args)
	return value, err
}

// RunTask is Run for a worker of another pool: a failure is the
// *TaskError this pool's caller would get (PID is this process's), with a
// panic's stack, and matching ErrUnknownFunc when this registry lacks a
// function of that name (a worker built without it), not when the
// function's own error wraps it.
func RunTask(name string, args []byte) ([]byte, error) {
	value, unknown, err := runTask(name, args)
	if err != nil {
		status, payload := failStatus(err, unknown)
		return value, taskError(name, os.Getpid(), status, payload)
	}
	return value, nil
}

// ChunkTask is the one task that runs fn over every argument in one
// worker, in order, as ChunkSize sends them.
func ChunkTask(fn string, args [][]byte) (Task, error) {
	if len(fn) > 0xffff {
		return Task{}, fmt.Errorf("%w: function name of %d bytes", ErrFrameTooLarge, len(fn))
	}
	return Task{Func: chunkFunc, Args: encodeChunk(fn, args)}, nil
}

// ChunkResults splits the result of a ChunkTask of n calls of fn into one
// Result per call, each with its own value or TaskError and times; a chunk
// that failed as a whole fails every call with its error.
func ChunkResults(whole Result, fn string, n int) []Result {
	return appendChunkResults(nil, &AsyncResult{result: whole}, fn, n)
}
