package strategies

import "context"

// PyPoolApply submits every task to a multiprocessing.Pool of --workers with
// blocking apply.
type PyPoolApply struct{}

func (PyPoolApply) Name() string { return "py-pool-apply" }
func (PyPoolApply) Doc() string {
	return "CPython: multiprocessing.Pool of --workers, blocking apply for every task"
}
func (PyPoolApply) Concurrency(plan Plan) int { return 1 }
func (PyPoolApply) Traits() Traits            { return pyTraits("pool-apply", true) }

func (PyPoolApply) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return runPython(ctx, "pool-apply", plan, rec)
}
