package sharedlog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// Mode is one way of sharing the log file between writers.
type Mode string

// The modes, named as the CLI and results.LogMode.Mode spell them; the
// package documentation says what each does.
const (
	UnlockedWhole    Mode = "unlocked-whole"
	UnlockedSplit    Mode = "unlocked-split"
	UnlockedNoAppend Mode = "unlocked-noappend"
	Locked           Mode = "locked"
	PyUnlocked       Mode = "py-unlocked"
	PyLocked         Mode = "py-locked"
	Mutex            Mode = "mutex"
	Channel          Mode = "channel"
	Callback         Mode = "callback"
)

var (
	// ErrUnknownMode is returned for a mode name this package does not know.
	ErrUnknownMode = errors.New("unknown mode")
	// ErrNotProcessMode is returned by RunProcesses for a mode that does
	// not run in writer processes.
	ErrNotProcessMode = errors.New("mode does not run in writer processes")
	// ErrNotGoroutineMode is returned by RunGoroutines for a mode that does
	// not run in goroutines.
	ErrNotGoroutineMode = errors.New("mode does not run in goroutines")
	// ErrNotPythonMode is returned by RunPython for a mode that does not
	// run python3 writers.
	ErrNotPythonMode = errors.New("mode does not run python3 writers")
	// ErrNoPython is returned by the python modes when no python3 is on the
	// PATH: those modes are skipped, not failed.
	ErrNoPython = errors.New("python3 not found")
)

// Modes returns every mode, in the order a report lists them.
func Modes() []Mode {
	return []Mode{UnlockedWhole, UnlockedSplit, UnlockedNoAppend, Locked, PyUnlocked, PyLocked, Mutex, Channel, Callback}
}

// ParseMode returns the mode called name.
func ParseMode(name string) (Mode, error) {
	for _, m := range Modes() {
		if string(m) == name {
			return m, nil
		}
	}
	names := make([]string, 0, len(Modes()))
	for _, m := range Modes() {
		names = append(names, string(m))
	}
	return "", fmt.Errorf("sharedlog: mode %q: %w (want one of %s)", name, ErrUnknownMode, strings.Join(names, ", "))
}

// InProcess reports whether the mode's writers are goroutines of one
// process rather than processes.
func (m Mode) InProcess() bool { return m == Mutex || m == Channel }

// goProcesses reports whether the mode's writers are poolbench writer
// processes (see Job).
func (m Mode) goProcesses() bool {
	return m == UnlockedWhole || m == UnlockedSplit || m == UnlockedNoAppend || m == Locked
}

// Python reports whether the mode's writers are python3 processes.
func (m Mode) Python() bool { return m == PyUnlocked || m == PyLocked }

// writesWhole reports whether a Go writer process of the mode makes one
// write(2) per record rather than going through a buffer.
func (m Mode) writesWhole() bool { return m != UnlockedSplit }

// Describe returns the mode's result with everything but the measured
// figures and the note filled: who writes, how records map to write(2)
// calls, whether O_APPEND and a lock are used.
// bufferSize is the buffer of the unlocked-split writers.
func (m Mode) Describe(writers, bufferSize int) results.LogMode {
	lm := results.LogMode{Mode: string(m), Writers: writers, OAppend: true}
	switch m {
	case UnlockedWhole:
		lm.WritersKind, lm.CrossProcess, lm.WriteUnit = results.WritersProcesses, true, results.WriteUnitRecord
	case UnlockedSplit:
		lm.WritersKind, lm.CrossProcess, lm.WriteUnit = results.WritersProcesses, true, results.WriteUnitBufferedSplit
		lm.BufferBytes = bufferSize
	case UnlockedNoAppend:
		lm.WritersKind, lm.CrossProcess, lm.WriteUnit = results.WritersProcesses, true, results.WriteUnitRecord
		lm.OAppend = false
	case Locked:
		lm.WritersKind, lm.CrossProcess, lm.WriteUnit = results.WritersProcesses, true, results.WriteUnitRecord
		lm.Locked, lm.Lock = true, results.LockFlock
	case PyUnlocked:
		lm.WritersKind, lm.CrossProcess, lm.WriteUnit = results.WritersPython, true, results.WriteUnitBufferedWhole
	case PyLocked:
		// f.flush() under the lock: each hold writes one record.
		lm.WritersKind, lm.CrossProcess, lm.WriteUnit = results.WritersPython, true, results.WriteUnitRecord
		lm.Locked, lm.Lock = true, results.LockPython
	case Mutex:
		lm.WritersKind, lm.WriteUnit = results.WritersGoroutines, results.WriteUnitRecord
		lm.Locked, lm.Lock = true, results.LockMutex
	case Channel:
		lm.WritersKind, lm.SingleWriter, lm.WriteUnit = results.WritersGoroutines, true, results.WriteUnitBufferedSplit
		lm.BufferBytes = singleWriterBuffer
	case Callback:
		lm.WritersKind, lm.SingleWriter, lm.WriteUnit = results.WritersPool, true, results.WriteUnitBufferedSplit
		lm.BufferBytes = singleWriterBuffer
	}
	return lm
}

// Note says why the mode's file came out as it did, whole or damaged: what
// the operating system guarantees for its writes, and where damage comes
// from. It fills results.LogMode.Note.
func (m Mode) Note(damaged bool) string {
	n, ok := notes[m]
	if !ok {
		return ""
	}
	if damaged {
		return n.damaged
	}
	return n.whole
}

// notes holds each mode's explanation of a whole file and of a damaged one.
var notes = map[Mode]struct{ whole, damaged string }{
	UnlockedWhole: {
		"whole without a lock: Linux appends each O_APPEND write(2) in one piece, and each holds one record",
		"damaged although each O_APPEND write(2) held one whole record: this file system does not append writes in one piece",
	},
	UnlockedSplit: {
		"whole this run, but unprotected: no other append landed between the pieces of a record bufio split",
		"torn: bufio flushes when full, mid-record, and other writers' appends land between the pieces",
	},
	UnlockedNoAppend: {
		"whole this run, but unprotected: without O_APPEND the writers write from their own offsets and did not overlap",
		"lost: without O_APPEND every writer writes from its own offset, all from 0, over the others' records",
	},
	Locked: {
		"procsync.Lock (flock) held around each record's write(2)",
		"damaged under procsync.Lock (flock): the lock failed to exclude",
	},
	PyUnlocked: {
		"the tutorial's open(path, 'a') + f.write: CPython flushes only between records, so O_APPEND keeps them whole",
		"torn: the tutorial's open(path, 'a') + f.write split records between write(2) calls here",
	},
	PyLocked: {
		"the tutorial's code with a multiprocessing.Lock held around f.write(record) and f.flush()",
		"damaged under a multiprocessing.Lock: the lock failed to exclude",
	},
	Mutex: {
		"goroutines share one file under a sync.Mutex, one write(2) per record",
		"damaged under a sync.Mutex: the mutex failed to exclude",
	},
	Channel: {
		"goroutines send records to one writer goroutine: a single writer, no lock",
		"damaged with a single writer goroutine",
	},
	Callback: {
		"pool workers return records; the parent's callback, a single writer, appends them",
		"damaged with the parent's callback as the single writer",
	},
}
