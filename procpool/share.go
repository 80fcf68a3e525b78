package procpool

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
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

// AppendPanic appends a panic's value and stack as a worker sends them,
// the value's length first (uvarint), so that a value with newlines in it
// is not taken for the start of the stack; SplitPanic reads them back.
// natspool's worker and owner use them too.
func AppendPanic(dst []byte, msg, stack string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(msg)))
	return append(append(dst, msg...), stack...)
}

// CutPanic shortens a payload of AppendPanic's to at most limit bytes
// and keeps it one: the stack is cut first, then the value, and the stack
// ends in a mark, so that a panic too long to send still arrives as a
// panic, with as much of its stack as fits.
func CutPanic(payload []byte, limit int) []byte {
	if len(payload) <= limit {
		return payload
	}
	const mark = "\n... (cut to fit)"
	msg, stack := SplitPanic(payload)
	size := func(m string) int { return len(binary.AppendUvarint(nil, uint64(len(m)))) + len(m) }
	if size(msg)+len(mark) > limit {
		msg = cutText(msg, limit/2) // the value alone is too long
	}
	room := limit - size(msg) - len(mark)
	if room < 0 {
		return payload[:0] // a limit too small for any panic
	}
	return AppendPanic(nil, msg, cutText(stack, room)+mark)
}

// CutFailure shortens a failed task's payload to at most n bytes: a
// panic's with CutPanic, any other's as text, at the start of a UTF-8
// character, so that a message cut to fit does not end in half of one.
func CutFailure(payload []byte, n int, panicked bool) []byte {
	if panicked {
		return CutPanic(payload, n)
	}
	return cutText(payload, n)
}

// cutText is s cut to at most n bytes, before the character that byte n
// falls in. Bytes that are not UTF-8 are cut at n.
func cutText[T ~string | ~[]byte](s T, n int) T {
	n = max(n, 0)
	if len(s) <= n {
		return s
	}
	for i := n; i >= 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return s[:n]
}

// SplitPanic reads what AppendPanic wrote. A payload whose first bytes do
// not read as a length that fits is all message.
func SplitPanic(payload []byte) (msg, stack string) {
	n, k := binary.Uvarint(payload)
	if k <= 0 || n > uint64(len(payload)-k) {
		return string(payload), ""
	}
	return string(payload[k : k+int(n)]), string(payload[k+int(n):])
}

// FormatTaskError is a task error's Format, for this pool's TaskError and
// another pool's: msg (its Error()) as a string would be under every verb,
// and under %+v the worker's stack after it, where there is one.
func FormatTaskError(f fmt.State, verb rune, msg, stack string) {
	if verb == 'v' && f.Flag('+') && stack != "" {
		io.WriteString(f, msg+"\n"+stack)
		return
	}
	if verb == 'v' {
		verb = 's' // %v, and %#v too, print the message, as they always have
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), msg)
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
