package sharedlog

import (
	"errors"
	"fmt"
	"strings"
)

// Mode is one way of sharing the log file between writers.
type Mode string

// The modes, named as the CLI and results.LogMode.Mode spell them; the
// package documentation says what each does.
const (
	Unlocked         Mode = "unlocked"
	UnlockedNoAppend Mode = "unlocked-noappend"
	Locked           Mode = "locked"
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
)

// Modes returns every mode, in the order a report lists them.
func Modes() []Mode {
	return []Mode{Unlocked, UnlockedNoAppend, Locked, Mutex, Channel, Callback}
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

// Note says what the operating system guarantees for the mode, where that
// explains its figures; it fills results.LogMode.Note.
func (m Mode) Note() string {
	switch m {
	case Unlocked:
		return "Linux makes each write(2) to an O_APPEND regular file atomic with respect to the offset, " +
			"so whole write calls never overlap and no byte is lost; the damage comes from records split " +
			"across the 4 KiB buffer's flushes, between whose pieces other writers' flushes land"
	case UnlockedNoAppend:
		return "without O_APPEND every process writes from its own offset, all starting at 0, " +
			"so writers overwrite each other's records; the file ends as long as the longest writer's output"
	case Locked:
		return "an flock(2) lock held around each record's write and flush, appending with O_APPEND: " +
			"one whole record per lock hold"
	case Mutex:
		return "goroutines of one process share one *os.File under a sync.Mutex: one write(2) per record"
	case Channel:
		return "goroutines send records to a single writer goroutine, which buffers freely: " +
			"no lock, and fewer, larger writes"
	case Callback:
		return "workers return records and the parent's callback, a single writer, appends them"
	}
	return ""
}
