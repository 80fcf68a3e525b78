package procpool

import (
	"bytes"
	"io"
	"sync"
)

// threadLimitMarks start the line with which the Go runtime says it could
// not create a thread (errno EAGAIN: `ulimit -u` counts threads), before
// it aborts the process and dumps every goroutine's stack: pure Go, or
// through cgo's pthread_create.
var threadLimitMarks = [][]byte{
	[]byte("runtime: failed to create new OS thread"),
	[]byte("runtime/cgo: pthread_create failed"),
}

// stderrFilter passes a worker's stderr through, except for the dump that
// follows a thread-limit abort: that line goes through and is kept, to
// name the limit in the worker's death; the hundreds of lines of stacks
// after it say nothing more, and at a limit every worker starting prints
// them. No environment setting quiets them: the runtime always traces its
// own aborts.
type stderrFilter struct {
	w       io.Writer
	mu      sync.Mutex
	pending []byte // the start of a line that may become a mark
	midLine bool   // a line's start went through unchecked: pass the rest
	aborted []byte // the mark's line, once seen; the rest is dropped
}

func (f *stderrFilter) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(b)
	for len(b) > 0 && f.aborted == nil {
		i := bytes.IndexByte(b, '\n')
		if f.midLine {
			if i < 0 {
				f.w.Write(b)
				break
			}
			f.w.Write(b[:i+1])
			b, f.midLine = b[i+1:], false
			continue
		}
		if i < 0 {
			f.pending = append(f.pending, b...)
			if !mayBeMark(f.pending) {
				f.w.Write(f.pending)
				f.pending, f.midLine = f.pending[:0], true
			}
			break
		}
		line := append(f.pending, b[:i+1]...)
		b, f.pending = b[i+1:], f.pending[:0]
		f.w.Write(line)
		if isMark(line) {
			f.aborted = bytes.TrimSpace(bytes.Clone(line))
			io.WriteString(f.w, "(the Go runtime's dump of this worker's stacks is left out)\n")
		}
	}
	return n, nil // a writer that fails must not stall the worker
}

// flush writes the start of a last line the worker left unfinished.
func (f *stderrFilter) flush() {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.aborted == nil && len(f.pending) > 0 {
		f.w.Write(f.pending)
		f.pending = f.pending[:0]
	}
}

// abortLine is the runtime's thread-limit line, if the worker printed one.
func (f *stderrFilter) abortLine() string {
	if f == nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return string(f.aborted)
}

func isMark(line []byte) bool {
	for _, m := range threadLimitMarks {
		if bytes.HasPrefix(line, m) {
			return true
		}
	}
	return false
}

// mayBeMark: a line begun with start may still turn out to be a mark.
func mayBeMark(start []byte) bool {
	for _, m := range threadLimitMarks {
		if bytes.HasPrefix(m, start) || bytes.HasPrefix(start, m) {
			return true
		}
	}
	return false
}
