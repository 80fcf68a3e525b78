package procpool

import (
	"io"
	"os"
	"reflect"
	"sync"
)

// lockedWriter serialises the writes of every worker's output copier onto
// one writer that is not a file: os/exec copies each worker's output on a
// goroutine of its own, and a bytes.Buffer or a logger is not safe for
// concurrent writes. A file needs no lock: the kernel orders its writes.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// serialised returns w, or w behind a lock when it is not a file. Stdout
// and stderr share one lock when they are the same writer.
func serialised(stdout, stderr io.Writer) (io.Writer, io.Writer) {
	wrap := func(w io.Writer) io.Writer {
		if _, isFile := w.(*os.File); isFile || w == nil {
			return w
		}
		return &lockedWriter{w: w}
	}
	out := wrap(stdout)
	if t := reflect.TypeOf(stdout); t != nil && t.Comparable() && stderr == stdout {
		return out, out
	}
	return out, wrap(stderr)
}
