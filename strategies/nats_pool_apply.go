package strategies

import (
	"context"

	"github.com/poolbench/poolbench/natspool"
)

// NATSPoolApply is pool-apply through a NATS pool: one blocking Apply after
// another, each a round trip through the server.
type NATSPoolApply struct{}

func (NATSPoolApply) Name() string { return "nats-pool-apply" }
func (NATSPoolApply) Doc() string {
	return "a NATS pool (embedded server) of --workers processes, tasks submitted with blocking Apply"
}
func (NATSPoolApply) Concurrency(Plan) int { return 1 }
func (NATSPoolApply) Traits() Traits       { return natsTraits }

func (NATSPoolApply) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return withNATSPool(ctx, plan, rec, func(p *natspool.Pool) error {
		for i := range plan.Tasks {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := p.Apply(ctx, plan.task(i))
			if err == ctx.Err() && err != nil {
				return err
			}
			rec.WorkerPID(r.WorkerPID)
			rec.Task(i, r.Value, err, r.Latency())
		}
		return nil
	})
}
