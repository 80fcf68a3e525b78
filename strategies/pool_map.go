package strategies

import (
	"context"

	"github.com/poolbench/poolbench/procpool"
)

// PoolMap hands every task to the pool's Map and waits for the ordered
// results, as Python's pool.map does.
type PoolMap struct{}

func (PoolMap) Name() string { return "pool-map" }
func (PoolMap) Doc() string {
	return "a process pool of --workers, all tasks through Map (--chunk-size at a time)"
}
func (PoolMap) Concurrency(plan Plan) int { return min(plan.Workers, plan.Tasks) }

func (PoolMap) Traits() Traits { return Traits{UsesPoolSize: true, Baseline: "serial"} }

func (PoolMap) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return withPool(ctx, plan, rec, func(p *procpool.Pool) error {
		args := make([][]byte, plan.Tasks)
		fn := plan.task(0).Func
		for i := range args {
			args[i] = plan.task(i).Args
		}
		var opts []procpool.MapOption
		if plan.ChunkSize > 0 {
			opts = append(opts, procpool.ChunkSize(plan.ChunkSize))
		}
		res, err := p.Map(ctx, fn, args, opts...)
		if res == nil {
			return err
		}
		for i, r := range res {
			rec.WorkerPID(r.WorkerPID)
			rec.TaskAt(i, r.Value, r.Err, r.Latency(), r.Delivered)
		}
		return nil
	})
}
