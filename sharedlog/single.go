package sharedlog

import (
	"bufio"
	"fmt"
	"os"
)

// SingleWriter appends records to a log file from one goroutine: the parent
// side of the callback mode, and the writer goroutine of the channel mode.
// Having the file to itself, it can buffer across records freely; nothing
// else writes in between.
//
// It is not safe for concurrent use: that is the point of a single writer.
// Callbacks of the process pool run one at a time in one goroutine.
type SingleWriter struct {
	path string
	f    *os.File
	bw   *bufio.Writer
}

// singleWriterBuffer is SingleWriter's buffer: with the file to itself, it
// can be large.
const singleWriterBuffer = 64 << 10

// NewSingleWriter opens path for appending, creating it if needed.
func NewSingleWriter(path string) (*SingleWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sharedlog: single writer: %w", err)
	}
	return &SingleWriter{path: path, f: f, bw: bufio.NewWriterSize(f, singleWriterBuffer)}, nil
}

// Write appends one record, as Encode or Record made it.
func (w *SingleWriter) Write(record []byte) error {
	if _, err := w.bw.Write(record); err != nil {
		return fmt.Errorf("sharedlog: write %s: %w", w.path, err)
	}
	return nil
}

// Close flushes what is buffered and closes the file.
func (w *SingleWriter) Close() error {
	ferr := w.bw.Flush()
	cerr := w.f.Close()
	if ferr != nil {
		return fmt.Errorf("sharedlog: flush %s: %w", w.path, ferr)
	}
	if cerr != nil {
		return fmt.Errorf("sharedlog: close %s: %w", w.path, cerr)
	}
	return nil
}
