package strategies

import (
	"context"
	"sync"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

// Goroutines starts one goroutine per task, all at once: the article's "100
// threads". Go schedules them on every CPU, which Python's GIL does not.
type Goroutines struct{}

func (Goroutines) Name() string { return "goroutines" }
func (Goroutines) Doc() string {
	return "one goroutine per task, all at once (the article's one thread per task)"
}
func (Goroutines) Concurrency(plan Plan) int { return plan.Tasks }

func (Goroutines) Traits() Traits { return goTraits }

func (Goroutines) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	if err := validate(plan); err != nil {
		return err
	}
	workloads.SetInProcess(true)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range plan.Tasks {
		wg.Go(func() {
			plan.recordLocal(i, rec, start)
		})
	}
	wg.Wait()
	return ctx.Err()
}
