// Package strategies holds the ways poolbench runs a batch of tasks: serial,
// goroutines, a goroutine pool, goroutines under one CPU, a process per task,
// and the process pool used through Apply, ApplyAsync and Map. Each strategy
// is one file; all run the same tasks and report to a Recorder.
package strategies

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/poolbench/poolbench/natspool"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
)

// Plan is one batch of work: Tasks tasks of one workload at one size.
type Plan struct {
	Workload workloads.Workload
	// Size is the workload's task size as ParseSize returned it.
	Size uint64
	// Options are the run's workload options (payload sizes, skew, seed,
	// command) that the workload's TaskArgs reads.
	Options workloads.Options
	Tasks   int
	// Workers bounds concurrency for the pool strategies.
	Workers int
	// MaxProcesses bounds how many of process-per-task's processes run at
	// once (0: every task's at once, as the article starts them): a task
	// waits for a running one to end before its process starts.
	MaxProcesses int
	// ChunkSize is how many tasks the *-pool-map strategies send a worker
	// at a time (Python's chunksize); 0 is each pool's own default: one
	// for the Go pools, Python's heuristic for CPython's.
	ChunkSize int
	// PoolOptions are passed to every procpool.New (worker command, output),
	// NATSOptions to every natspool.New (server URL or listen address too).
	PoolOptions []procpool.Option
	NATSOptions []natspool.Option
	// Faults injects failures into tasks; TaskTimeout bounds each task (0:
	// none). A pool kills a worker whose task runs past it.
	Faults      workloads.Faults
	TaskTimeout time.Duration
	// Python is the interpreter the py-* strategies run, and PyStartMethod
	// multiprocessing's start method ("" for the interpreter's default).
	Python        string
	PyStartMethod string
}

// Args is the argument buffer of task i.
func (p Plan) Args(i int) []byte { return p.Workload.ArgsFor(p.Size, p.Options, i) }

// Strategy runs every task of a plan and reports each to rec.
type Strategy interface {
	Name() string
	// Doc is one line for `poolbench list`.
	Doc() string
	// Concurrency is how many tasks may run at once under plan.
	Concurrency(plan Plan) int
	// Traits says what the strategy's figures depend on.
	Traits() Traits
	Run(ctx context.Context, plan Plan, rec *Recorder) error
}

// Traits describe a strategy to the code that derives figures from its
// measurements, so that nothing there matches names.
type Traits struct {
	// UsesPoolSize: the strategy keeps Plan.Workers processes or
	// goroutines, so a pool-size sweep varies it; the others run once there,
	// as a baseline.
	UsesPoolSize bool
	// OneCPU: its tasks run on one CPU at a time at most (GOMAXPROCS=1; a
	// GIL), whatever the machine has.
	OneCPU bool
	// Baseline names the strategy its speedup is against: serial for the Go
	// strategies, the serial strategy of its own family for others.
	Baseline string
	// Language is the runtime its tasks run under ("" for Go), and
	// Counterpart, for another language's strategy, its Go analogue.
	Language, Counterpart string
}

// goTraits are the traits of a Go strategy that keeps no pool.
var goTraits = Traits{Baseline: "serial"}

// TraitsOf returns the named strategy's traits, or a Go strategy's
// defaults for a name no strategy has.
func TraitsOf(name string) Traits {
	if s, err := Lookup(name); err == nil {
		return s.Traits()
	}
	return goTraits
}

var all = []Strategy{
	Serial{},
	Goroutines{},
	GoroutinePool{},
	Goroutines1CPU{},
	ProcessPerTask{},
	PoolApply{},
	PoolApplyAsync{},
	PoolMap{},
	PySerial{},
	PyThreads{},
	PyProcessPerTask{},
	PyPoolApply{},
	PyPoolApplyAsync{},
	PyPoolMap{},
	NATSPoolApply{},
	NATSPoolApplyAsync{},
	NATSPoolMap{},
}

// All lists the strategies in the order reports show them.
func All() []Strategy { return append([]Strategy(nil), all...) }

// Names lists the strategies' names in report order.
func Names() []string {
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.Name()
	}
	return names
}

// ErrUnknown is returned by Lookup for a name no strategy has.
var ErrUnknown = errors.New("unknown strategy")

// Lookup returns the strategy with the given name.
func Lookup(name string) (Strategy, error) {
	for _, s := range all {
		if s.Name() == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w %q (have %s)", ErrUnknown, name, strings.Join(Names(), ", "))
}

func validate(plan Plan) error {
	switch {
	case plan.Workload.Run == nil:
		return errors.New("strategies: plan has no workload")
	case plan.Tasks < 1:
		return fmt.Errorf("strategies: %d tasks: want at least 1", plan.Tasks)
	case plan.Workers < 1:
		return fmt.Errorf("strategies: %d workers: want at least 1", plan.Workers)
	}
	return nil
}
