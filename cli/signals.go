package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// interrupts is a context cancelled by the first SIGINT, SIGTERM or SIGHUP
// (a closed terminal, a dropped SSH session): the run stops and saves what
// it measured. A second signal exits at once; every child poolbench starts
// dies with it, since each is started with a parent-death signal. The
// same signal again within echoWindow is not a second one.
//
// SIGPIPE is caught too, so that a reader of stdout that goes away (`| head`)
// makes the print fail with EPIPE instead of killing poolbench before it
// has saved the run.
type interrupts struct {
	ctx  context.Context
	stop func()
	mu   sync.Mutex
	sig  os.Signal
	// lastWords, if set, says on w, as a second signal exits, what
	// is left of the run (lastWordsOn).
	w         io.Writer
	lastWords func() string
}

// lastWordsOn has a second signal print lastWords() to w, unless it is
// empty, before poolbench exits: where the trials measured so far are.
func (in *interrupts) lastWordsOn(w io.Writer, lastWords func() string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.w, in.lastWords = w, lastWords
}

// sayLastWords prints the last words, if any.
func (in *interrupts) sayLastWords() {
	in.mu.Lock()
	w, lastWords := in.w, in.lastWords
	in.mu.Unlock()
	if lastWords == nil {
		return
	}
	if msg := lastWords(); msg != "" {
		fmt.Fprintln(w, msg)
	}
}

// echoWindow is how soon after the first a signal of the same kind counts
// as the same interruption delivered twice: timeout(1), and supervisors
// like it, signal the process and then its process group, which holds it
// too. A person's second Ctrl-C comes later than this.
const echoWindow = 100 * time.Millisecond

func watchInterrupts(parent context.Context) *interrupts {
	// The cause names the signal, so that what the run notes of its end
	// is the interruption rather than "context canceled".
	ctx, cancel := context.WithCancelCause(parent)
	in := &interrupts{ctx: ctx}
	ch := make(chan os.Signal, 2)
	// A signal poolbench was started with ignored stays ignored: nohup
	// ignores SIGHUP and a shell's background job SIGINT so that a long
	// run outlives its terminal, and Notify would turn them back on.
	var watched []os.Signal
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		if !signal.Ignored(s) {
			watched = append(watched, s)
		}
	}
	if len(watched) > 0 { // Notify with none would catch every signal
		signal.Notify(ch, watched...)
	}
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	done := make(chan struct{})
	go func() {
		var first os.Signal
		select {
		case first = <-ch:
			in.mu.Lock()
			in.sig = first
			in.mu.Unlock()
			cancel(fmt.Errorf("interrupted by %s", signalName(first)))
		case <-done:
			return
		}
		at := time.Now()
		for {
			select {
			case s := <-ch:
				if s == first && time.Since(at) < echoWindow {
					continue
				}
				in.sayLastWords()
				reapOrphans()
				os.Exit(signalCode(s))
			case <-done:
				return
			}
		}
	}()
	in.stop = func() {
		in.mu.Lock()
		interrupted := in.sig != nil
		in.mu.Unlock()
		// Once interrupted, signals stay caught (and dropped) until the
		// process exits: the echo of the first, which timeout(1) sends to
		// the group a moment later, must not kill a run that has saved
		// its results and is on its way out with status 130.
		if !interrupted {
			signal.Stop(ch)
		}
		signal.Stop(pipe)
		close(done)
		cancel(nil)
	}
	return in
}

// catchSIGPIPE has a write to a reader that went away (| head) fail
// with EPIPE instead of killing poolbench, until it exits, for a command
// whose exit status says more than its output (compare's gate): the error
// it ends with is written after the command has returned, perhaps into the
// same pipe. watchInterrupts does the same for the commands that measure.
func catchSIGPIPE() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

// interruptibly runs fn, which asks something outside poolbench (python3
// about itself, a --nats server), under signal handling: a Ctrl-C meanwhile
// cancels fn's context and is returned as the interruption (exit 130), also
// where fn took its probe cut short for an answer (a python3 missing, its
// strategies skipped). Signals are back to their defaults once it returns.
func interruptibly(cmd *cobra.Command, fn func(context.Context) error) error {
	in := watchInterrupts(cmd.Context())
	defer in.stop()
	err := fn(in.ctx)
	if err == nil {
		err = in.ctx.Err()
	}
	return in.err(err)
}

// watchFolderInterrupts is watchInterrupts for a run that saves into
// folder: a second signal, which exits at once, says where the run's
// trials are.
func watchFolderInterrupts(cmd *cobra.Command, folder *runFolder) *interrupts {
	in := watchInterrupts(cmd.Context())
	in.lastWordsOn(cmd.ErrOrStderr(), folder.stopNote)
	return in
}

// err turns a run error into an interruptedError when a signal caused it.
func (in *interrupts) err(err error) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.sig == nil || err == nil {
		return err
	}
	return interruptedError{sig: signalName(in.sig), code: signalCode(in.sig)}
}

// signalCode is the shell's status for a death by s: 128 + its number.
func signalCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 128 + int(syscall.SIGINT)
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return "SIGINT"
}
