package strategies

import (
	"context"

	"github.com/poolbench/poolbench/procpool"
)

// withPool starts a pool of plan.Workers processes, runs fn, then closes
// and joins it (terminates it if ctx ends), and records every worker start,
// replacements included. Pool start-up counts in the strategy's wall time, as
// it does for a program that creates a pool to run its tasks.
func withPool(ctx context.Context, plan Plan, rec *Recorder, fn func(*procpool.Pool) error) error {
	if err := validate(plan); err != nil {
		return err
	}
	p, err := procpool.New(plan.Workers, plan.poolOptions()...)
	if err != nil {
		return err
	}
	// Terminate interrupts fn, or the Join after it, when ctx ends. finish
	// checks ctx itself too: it may have ended before AfterFunc's goroutine
	// got to run.
	stop := context.AfterFunc(ctx, p.Terminate)
	err = fn(p)
	finish(ctx, p)
	stop()
	rec.Spawns(p.Stats())
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// finish shuts a pool down: Close lets queued tasks run, Terminate (when ctx
// has ended) drops them; either way Join reaps every worker.
func finish(ctx context.Context, p *procpool.Pool) {
	if ctx.Err() != nil {
		p.Terminate()
	} else {
		p.Close()
	}
	p.Join()
}

func task(plan Plan, i int) procpool.Task { return plan.task(i) }
