// Package cli is the poolbench command line: every command of poolbench,
// importable so that a program of one's own can offer them too. The
// functions such a program registers with procpool (procpool.Func,
// procpool.Register) are workloads of its commands, their tasks' arguments
// read from --args-file (see examples/myfunc):
//
//	var Square = procpool.Func("square", func(ctx context.Context, x int) (int, error) { return x * x, nil })
//
//	func main() { cli.Main() }
package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
)

// Main runs the poolbench command line on os.Args and exits the process
// with its status: 0 success, 1 a failure of the run, 2 bad input, 130 or
// 143 when interrupted. A re-executed copy of the program (a trial, a pool
// worker) plays its role instead and exits. Call it from main, after
// registering the program's own functions (at package level is best).
func Main() {
	os.Exit(realMain())
}

// realMain returns the exit status: 0 success, 1 a failure of the run, 2 bad
// input, 130 or 143 when interrupted by SIGINT or SIGTERM.
func realMain() int {
	// The program's own functions, registered with procpool, become
	// workloads first, in every process alike: a trial and its workers
	// must know the workloads the command line checked. It is a walk over
	// a map.
	if err := workloads.AddUserFuncs(); err != nil {
		fmt.Fprintln(os.Stderr, "poolbench:", err)
		return 1
	}
	// A re-executed poolbench may be a pool worker (procpool's or
	// natspool's), a trial, the far end of the pipe measurement or a log
	// writer: one environment variable names the role (procpool.EnvRole)
	// and the packages that start such children register theirs. It is
	// read before the command line is built, so that a child does nothing
	// of the command line's, and test binaries can play the roles too.
	if served, err := procpool.ServeRole(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, "poolbench:", err)
			return 1
		}
		return 0
	}
	becomeSubreaper()
	err := newRootCmd().Execute()
	reapOrphans()
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "poolbench:", oneLine(err))
	return exitCode(err)
}

// oneLine is err's message on one line: cobra follows an unknown command
// with its suggestions on lines of their own ("Did you mean this?").
func oneLine(err error) string {
	msg := strings.TrimSpace(err.Error())
	head, more, found := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !found {
		return msg
	}
	return head + "; did you mean " + strings.Join(strings.Fields(more), " or ") + "?"
}

// usageError is bad input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// interruptedError carries the exit status of a run cut short by a signal,
// and whether what it measured was saved.
type interruptedError struct {
	sig   string
	code  int
	saved bool
}

func (e interruptedError) Error() string {
	if e.saved {
		return "interrupted by " + e.sig + "; partial results were kept"
	}
	return "interrupted by " + e.sig
}

// savedAfter marks err, if it is an interruption, as one whose partial
// results were saved.
func savedAfter(err error) error {
	if ie, ok := err.(interruptedError); ok {
		ie.saved = true
		return ie
	}
	return err
}

func exitCode(err error) int {
	var ie interruptedError
	var ue usageError
	switch {
	case errors.As(err, &ie):
		return ie.code
	case errors.As(err, &ue), harness.IsConfigError(err), isUnknownCommand(err):
		return 2
	}
	return 1
}

// isUnknownCommand reports whether err is cobra's for a first word that
// names no command (poolbench bogus): a plain error, which no hook of
// cobra's lets this package wrap, as it does every other usage error.
func isUnknownCommand(err error) bool {
	return strings.HasPrefix(err.Error(), "unknown command ")
}
