package strategies

import (
	"context"

	"github.com/poolbench/poolbench/strategies/procpool"
)

// withPool starts a pool of plan.Workers processes, runs fn, then closes
// and joins it (terminates it if ctx ends), and records every worker start,
// replacements included. Pool start-up counts in the strategy's wall time, as
// it does for a program that creates a pool to run its tasks.
func withPool(ctx context.Context, plan Plan, rec *Recorder, fn func(*procpool.Pool) error) error {
	if err := validate(plan); err != nil {
		return err
	}
	p, err := procpool.New(plan.Workers, plan.PoolOptions...)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, p.Terminate)
	defer stop()
	err = fn(p)
	p.Close()
	p.Join()
	for _, s := range p.Stats().Spawns {
		rec.Spawn(s.Duration)
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

func task(plan Plan, i int) procpool.Task {
	return procpool.Task{Func: plan.Workload.Name, Args: plan.Args(i)}
}
