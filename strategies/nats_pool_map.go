package strategies

import (
	"context"

	"github.com/poolbench/poolbench/natspool"
)

// NATSPoolMap hands every task to a NATS pool's Map and waits for the
// ordered results.
type NATSPoolMap struct{}

func (NATSPoolMap) Name() string { return "nats-pool-map" }
func (NATSPoolMap) Doc() string {
	return "a NATS pool (embedded server) of --workers processes, all tasks through Map"
}
func (NATSPoolMap) Concurrency(plan Plan) int { return min(plan.Workers, plan.Tasks) }
func (NATSPoolMap) Traits() Traits            { return natsTraits }

func (NATSPoolMap) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return withNATSPool(ctx, plan, rec, func(p *natspool.Pool) error {
		args := make([][]byte, plan.Tasks)
		fn := plan.task(0).Func
		for i := range args {
			args[i] = plan.task(i).Args
		}
		var opts []natspool.MapOption
		if plan.ChunkSize > 0 {
			opts = append(opts, natspool.ChunkSize(plan.ChunkSize))
		}
		res, err := p.Map(ctx, fn, args, opts...)
		if res == nil {
			return err
		}
		for i, r := range res {
			rec.WorkerPID(r.WorkerPID)
			rec.Task(i, r.Value, r.Err, r.Latency())
		}
		return nil
	})
}
