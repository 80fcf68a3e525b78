package strategies

import (
	"context"

	"github.com/poolbench/poolbench/procpool"
)

// PoolApply submits every task with the pool's blocking Apply, one after
// another: the article's point that apply gives no parallelism, however
// many workers the pool has.
type PoolApply struct{}

func (PoolApply) Name() string { return "pool-apply" }
func (PoolApply) Doc() string {
	return "a process pool of --workers, tasks submitted with blocking Apply"
}
func (PoolApply) Concurrency(Plan) int { return 1 }

func (PoolApply) Traits() Traits { return Traits{UsesPoolSize: true, Baseline: "serial"} }

func (PoolApply) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return withPool(ctx, plan, rec, func(p *procpool.Pool) error {
		for i := range plan.Tasks {
			if err := ctx.Err(); err != nil {
				return err
			}
			t := task(plan, i)
			r, err := p.Apply(ctx, t)
			if err == ctx.Err() && err != nil {
				return err
			}
			rec.Task(i, r.Value, err, r.Latency())
			p.Recycle(r.Value) // recorded as a digest: free for the next result
			plan.reuseArgs(t.Args)
		}
		return nil
	})
}
