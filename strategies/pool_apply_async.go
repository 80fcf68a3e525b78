package strategies

import (
	"context"
	"os"

	"github.com/poolbench/poolbench/procpool"
)

// PoolApplyAsync submits every task with ApplyAsync, then closes and joins
// the pool, as the article's example does; a callback in this process
// records each result, the pid that ran the callback and the pid of the
// worker that ran the task.
type PoolApplyAsync struct{}

// maxInFlight bounds the tasks submitted but not yet done, so that a run of
// a million tasks holds a window of handles rather than a million of them.
const maxInFlight = 4096

func (PoolApplyAsync) Name() string { return "pool-apply-async" }
func (PoolApplyAsync) Doc() string {
	return "a process pool of --workers, ApplyAsync for every task, a callback in the parent"
}
func (PoolApplyAsync) Concurrency(plan Plan) int { return min(plan.Workers, plan.Tasks) }

func (PoolApplyAsync) Traits() Traits { return Traits{UsesPoolSize: true, Baseline: "serial"} }

func (PoolApplyAsync) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return withPool(ctx, plan, rec, func(p *procpool.Pool) error {
		slots := make(chan struct{}, maxInFlight)
		for i := range plan.Tasks {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			t := task(plan, i)
			done := func(r procpool.Result) {
				rec.CallbackPID(os.Getpid())
				rec.WorkerPID(r.WorkerPID)
				rec.Task(i, r.Value, r.Err, r.Latency())
				// Recorded (a digest kept, not the value): the next
				// large result may be read into it, and a later task's
				// arguments built in this one's.
				p.Recycle(r.Value)
				plan.reuseArgs(t.Args)
				<-slots
			}
			if _, err := p.ApplyAsync(t, done, done); err != nil {
				return err
			}
		}
		return nil
	})
}
