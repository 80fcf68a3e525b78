package strategies

import "context"

// PyProcessPerTask starts one multiprocessing.Process per task, all at once,
// each joined when it exits.
type PyProcessPerTask struct{}

func (PyProcessPerTask) Name() string { return "py-process-per-task" }
func (PyProcessPerTask) Doc() string {
	return "CPython: one multiprocessing.Process per task, all started at once"
}
func (PyProcessPerTask) Concurrency(plan Plan) int { return plan.Tasks }
func (PyProcessPerTask) Traits() Traits            { return pyTraits("process-per-task", false) }

func (PyProcessPerTask) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return runPython(ctx, "process-per-task", plan, rec)
}
