package strategies

import (
	"context"
	"sync"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

// GoroutinePool runs the tasks on a fixed number of goroutines that pull
// from a shared queue: the thread-pool compromise, without processes.
type GoroutinePool struct{}

func (GoroutinePool) Name() string { return "goroutine-pool" }
func (GoroutinePool) Doc() string {
	return "--workers goroutines pulling tasks from a queue (a thread pool)"
}
func (GoroutinePool) Concurrency(plan Plan) int { return min(plan.Workers, plan.Tasks) }

func (GoroutinePool) Traits() Traits { return Traits{UsesPoolSize: true, Baseline: "serial"} }

func (GoroutinePool) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	if err := validate(plan); err != nil {
		return err
	}
	workloads.SetInProcess(true)
	start := time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(plan.Workers, plan.Tasks) {
		wg.Go(func() {
			for i := range next {
				plan.recordLocal(i, rec, start)
			}
		})
	}
	defer wg.Wait()
	defer close(next)
	for i := range plan.Tasks {
		select {
		case next <- i:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
