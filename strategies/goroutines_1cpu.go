package strategies

import (
	"context"
	"runtime"
)

// Goroutines1CPU is Goroutines with GOMAXPROCS=1: goroutines interleave but
// never run Go code in parallel, the analogue of Python threads under the
// GIL. I/O-bound tasks still overlap; CPU-bound ones cannot.
type Goroutines1CPU struct{}

func (Goroutines1CPU) Name() string { return "goroutines-1cpu" }
func (Goroutines1CPU) Doc() string {
	return "one goroutine per task under GOMAXPROCS=1: the analogue of Python's GIL"
}
func (Goroutines1CPU) Concurrency(plan Plan) int { return plan.Tasks }

func (Goroutines1CPU) Traits() Traits { return Traits{OneCPU: true, Baseline: "serial"} }

// Run changes GOMAXPROCS for the whole process while it runs; poolbench runs
// each trial in a process of its own, so nothing else is affected.
func (Goroutines1CPU) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	return Goroutines{}.Run(ctx, plan, rec)
}
