package strategies

import (
	"context"
	"sync"
	"time"

	"github.com/poolbench/poolbench/procpool"
)

// ProcessPerTask starts a fresh OS process for every task, all at once, as
// the article's 100 processes do: each is the poolbench binary in worker
// mode, started, handed its one task, and reaped.
type ProcessPerTask struct{}

func (ProcessPerTask) Name() string              { return "process-per-task" }
func (ProcessPerTask) Doc() string               { return "a new OS process per task, all started at once" }
func (ProcessPerTask) Concurrency(plan Plan) int { return plan.Tasks }

func (ProcessPerTask) Traits() Traits { return goTraits }

func (ProcessPerTask) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	if err := validate(plan); err != nil {
		return err
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range plan.Tasks {
		wg.Go(func() {
			v, err := runInOwnProcess(ctx, plan, i, rec)
			rec.Task(i, v, err, time.Since(start))
		})
	}
	wg.Wait()
	return ctx.Err()
}

// runInOwnProcess is Python's Process(target=f).start(); join(): one worker
// process for one task, reaped before it returns.
func runInOwnProcess(ctx context.Context, plan Plan, i int, rec *Recorder) ([]byte, error) {
	p, err := procpool.New(1, plan.poolOptions()...)
	if err != nil {
		return nil, err
	}
	defer finish(ctx, p)
	rec.Spawns(p.Stats())
	stop := context.AfterFunc(ctx, p.Terminate)
	r, err := p.Apply(ctx, plan.task(i))
	stop()
	return r.Value, err
}
