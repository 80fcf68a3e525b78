package strategies

import (
	"context"
	"sync"
	"time"

	"github.com/poolbench/poolbench/procpool"
)

// ProcessPerTask starts a fresh OS process for every task, all at once, as
// the article's 100 processes do: each is the poolbench binary in worker
// mode, started, handed its one task, and reaped. With plan.MaxProcesses
// set, at most that many run at once: the rest start as others end.
type ProcessPerTask struct{}

func (ProcessPerTask) Name() string { return "process-per-task" }
func (ProcessPerTask) Doc() string {
	return "a new OS process per task, all started at once (up to a cap)"
}
func (ProcessPerTask) Concurrency(plan Plan) int {
	if plan.MaxProcesses > 0 {
		return min(plan.Tasks, plan.MaxProcesses)
	}
	return plan.Tasks
}

func (ProcessPerTask) Traits() Traits { return goTraits }

func (ProcessPerTask) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	if err := validate(plan); err != nil {
		return err
	}
	start := time.Now()
	slots := make(chan struct{}, ProcessPerTask{}.Concurrency(plan))
	var wg sync.WaitGroup
	for i := range plan.Tasks {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-slots }()
			t := plan.task(i)
			v, err := runInOwnProcess(ctx, plan, t, rec)
			rec.Task(i, v, err, time.Since(start))
			// The task's process has been reaped: nothing reads them.
			plan.reuseArgs(t.Args)
		})
	}
	wg.Wait()
	return ctx.Err()
}

// runInOwnProcess is Python's Process(target=f).start(); join(): one worker
// process for one task, reaped before it returns. A task that kills its
// process is not followed by another (NoRespawn), as a Process is not
// either; the process is recorded once it is reaped.
func runInOwnProcess(ctx context.Context, plan Plan, t procpool.Task, rec *Recorder) ([]byte, error) {
	// The processes that run at once share the CPUs as a pool's workers do.
	share := procpool.WorkerGOMAXPROCS(procpool.CPUShare(ProcessPerTask{}.Concurrency(plan)))
	p, err := procpool.New(1, append(plan.poolOptions(), share, procpool.NoRespawn())...)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, p.Terminate)
	r, err := p.Apply(ctx, t)
	stop()
	finish(ctx, p)
	rec.Spawns(p.Stats())
	return r.Value, err
}
