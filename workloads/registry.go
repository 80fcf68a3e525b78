// Package workloads holds the units of work poolbench measures. A workload is
// registered by name, so that a worker process can run it from a task that
// carries only the name and an argument buffer, as Python's multiprocessing
// pickles a function by reference.
package workloads

import (
	"errors"
	"fmt"
	"github.com/poolbench/poolbench/procpool"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Func runs one task: it decodes its arguments and returns its result.
type Func func(args []byte) ([]byte, error)

// Workload is a named unit of work the harness can size and run.
type Workload struct {
	Name string
	// Doc is one line for `poolbench list`.
	Doc string
	// DefaultSize is the task size used when none is given, in the form
	// ParseSize accepts.
	DefaultSize string
	// ParseSize turns a --task-size value into the amount the workload
	// understands (hash rounds for cpu, nanoseconds for io).
	ParseSize func(string) (uint64, error)
	// Run executes one task; Args builds its arguments.
	Run Func
	// Bound says what limits a task, for the ideal-time model: BoundCPU
	// (its run time divides over CPUs), BoundLatency (it waits; its size
	// is its duration in nanoseconds), or "" (no model).
	Bound string
	// LongestShare is the largest task's share of a batch of tasks tasks'
	// work, for the ideal-time model of a BoundCPU workload: no schedule
	// ends before that task does. nil: every task the same size.
	LongestShare func(size uint64, o Options, tasks int) float64

	// TaskArgs builds task index's arguments from the task size and the
	// run's options; nil means Args(size, index), the layout of cpu, io and
	// noop.
	TaskArgs func(size uint64, o Options, index int) []byte
	// ReuseArgs, when set, takes back arguments TaskArgs built once
	// nothing reads them any more (nor the value of a Run made over them),
	// for TaskArgs to build a later task's in; nil: the garbage collector
	// has them. It is for workloads whose arguments are large enough that
	// fresh memory (a page fault a page) costs more than building them.
	ReuseArgs func(args []byte)
	// CheckOptions validates the options the workload reads (nil: it reads
	// none), before anything runs.
	CheckOptions func(o Options) error
	// BytesPerTask is how many bytes one task moves, in and out, for a
	// bytes-per-second figure; nil for a workload that is not about moving
	// data.
	BytesPerTask func(o Options) uint64
	// Strategies names the only strategies that can run it; nil: all.
	Strategies []string
	// Python says a CPython twin (package pyref) runs it with the same
	// checksum, so the py-* strategies apply to it.
	Python bool
	// OptIn leaves it out of --workload all: it is named on its own.
	OptIn bool
	// FromArgsFile: its tasks' arguments are the lines of Options.ArgsFile
	// (a program's own function, see AddUserFuncs), so a run has as many
	// tasks as the file has lines unless told otherwise.
	FromArgsFile bool

	// builtIn: registered by this package itself (see BuiltIn).
	builtIn bool
}

// BuiltIn reports whether w is one of this package's own workloads, which
// every program that imports the package has, poolbench-worker included;
// a workload a program registers itself (Register, AddUserFuncs) is only
// in that program.
func (w Workload) BuiltIn() bool { return w.builtIn }

// ArgsFor is the argument buffer of task index under the run's options.
func (w Workload) ArgsFor(size uint64, o Options, index int) []byte {
	if w.TaskArgs != nil {
		return w.TaskArgs(size, o, index)
	}
	return Args(size, uint64(index))
}

// Reuse hands back a task's arguments, built by ArgsFor, that nothing
// reads any more: the workload may build a later task's arguments in them.
func (w Workload) Reuse(args []byte) {
	if w.ReuseArgs != nil {
		w.ReuseArgs(args)
	}
}

// RunsUnder reports whether the named strategy can run w (Strategies only;
// the py-* strategies also need Python).
func (w Workload) RunsUnder(strategy string) bool {
	return w.Strategies == nil || slices.Contains(w.Strategies, strategy)
}

// The bounds a workload can declare.
const (
	BoundCPU     = "cpu"
	BoundLatency = "latency"
)

// Args encodes the arguments of the task with the given index and size, in
// the layout every built-in workload reads.
func Args(size uint64, index uint64) []byte {
	var b [16]byte
	putUint64(b[:8], size)
	putUint64(b[8:], index)
	return b[:]
}

// ErrUnknown is returned by Lookup for a name nobody registered.
var ErrUnknown = errors.New("unknown workload")

var (
	mu       sync.RWMutex
	registry = map[string]Workload{}
	funcs    = map[string]Func{}
)

// Register adds a workload. Names are unique.
func Register(w Workload) error { return register(w, true) }

// register adds w, and its function to procpool's registry when toPool (a
// function already there becomes a workload without it).
func register(w Workload, toPool bool) error {
	if w.Name == "" || w.Run == nil {
		return errors.New("workloads: register: a workload needs a name and a Run func")
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := funcs[w.Name]; dup {
		return fmt.Errorf("workloads: register %q: already registered", w.Name)
	}
	// A pool's workers find it in procpool's registry, like any user's.
	if toPool {
		if err := procpool.Register(w.Name, procpool.RawFunc(w.Run)); err != nil {
			return fmt.Errorf("workloads: %w", err)
		}
	}
	registry[w.Name] = w
	funcs[w.Name] = w.Run
	return nil
}

// RegisterFunc adds a bare function that a pool can run by name but that the
// harness does not list as a workload: initializers, test helpers, the
// logging experiment's record writer.
func RegisterFunc(name string, fn Func) error {
	if name == "" || fn == nil {
		return errors.New("workloads: register func: needs a name and a func")
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := funcs[name]; dup {
		return fmt.Errorf("workloads: register func %q: already registered", name)
	}
	if err := procpool.Register(name, procpool.RawFunc(fn)); err != nil {
		return fmt.Errorf("workloads: %w", err)
	}
	funcs[name] = fn
	return nil
}

// mustRegisterBuiltIn is MustRegister for this package's own workloads.
func mustRegisterBuiltIn(w Workload) {
	w.builtIn = true
	MustRegister(w)
}

// MustRegister is Register for package initialisation; it panics on a
// duplicate name, which is a programming error.
func MustRegister(w Workload) {
	if err := Register(w); err != nil {
		panic(err)
	}
}

// Lookup returns the workload registered under name.
func Lookup(name string) (Workload, error) {
	mu.RLock()
	w, ok := registry[name]
	mu.RUnlock()
	if !ok {
		return Workload{}, fmt.Errorf("%w %q (have %s)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	return w, nil
}

// LookupFunc returns the function registered under name, workload or not.
func LookupFunc(name string) (Func, error) {
	mu.RLock()
	fn, ok := funcs[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknown, name)
	}
	return fn, nil
}

// Standard lists the workloads --workload all runs: every one not OptIn.
func Standard() []string {
	var out []string
	for _, n := range Names() {
		if w, _ := Lookup(n); !w.OptIn {
			out = append(out, n)
		}
	}
	return out
}

// Names lists the registered workloads, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LongestTaskShare is the largest task's share of a batch of tasks tasks'
// work: LongestShare's, or 1/tasks where every task is the same size.
func (w Workload) LongestTaskShare(size uint64, o Options, tasks int) float64 {
	switch {
	case tasks < 1:
		return 0
	case w.LongestShare != nil:
		return w.LongestShare(size, o, tasks)
	}
	return 1 / float64(tasks)
}
