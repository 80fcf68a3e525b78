package strategies

import (
	"context"
	"os"

	"github.com/poolbench/poolbench/natspool"
)

// NATSPoolApplyAsync is pool-apply-async through a NATS pool: ApplyAsync
// for every task, a callback in this process, then Close and Join.
type NATSPoolApplyAsync struct{}

func (NATSPoolApplyAsync) Name() string { return "nats-pool-apply-async" }
func (NATSPoolApplyAsync) Doc() string {
	return "a NATS pool (embedded server) of --workers processes, ApplyAsync for every task, a callback in the parent"
}
func (NATSPoolApplyAsync) Concurrency(plan Plan) int { return min(plan.Workers, plan.Tasks) }
func (NATSPoolApplyAsync) Traits() Traits            { return natsTraits }

func (NATSPoolApplyAsync) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return withNATSPool(ctx, plan, rec, func(p *natspool.Pool) error {
		slots := make(chan struct{}, maxInFlight)
		for i := range plan.Tasks {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			done := func(r natspool.Result) {
				rec.CallbackPID(os.Getpid())
				rec.WorkerPID(r.WorkerPID)
				rec.Task(i, r.Value, r.Err, r.Latency())
				<-slots
			}
			if _, err := p.ApplyAsync(plan.task(i), done, done); err != nil {
				return err
			}
		}
		return nil
	})
}
