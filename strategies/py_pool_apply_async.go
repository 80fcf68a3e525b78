package strategies

import "context"

// PyPoolApplyAsync is the article's example: apply_async for every task with
// a callback, which runs in the pool's owner, then close and join.
type PyPoolApplyAsync struct{}

func (PyPoolApplyAsync) Name() string { return "py-pool-apply-async" }
func (PyPoolApplyAsync) Doc() string {
	return "CPython: multiprocessing.Pool of --workers, apply_async with a callback in the parent"
}
func (PyPoolApplyAsync) Concurrency(plan Plan) int { return min(plan.Workers, plan.Tasks) }
func (PyPoolApplyAsync) Traits() Traits            { return pyTraits("pool-apply-async", true) }

func (PyPoolApplyAsync) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return runPython(ctx, "pool-apply-async", plan, rec)
}
