package strategies

import "context"

// PyThreads starts one threading.Thread per task, all at once: the article's
// threads, which the GIL lets run Python code one at a time.
type PyThreads struct{}

func (PyThreads) Name() string { return "py-threads" }
func (PyThreads) Doc() string {
	return "CPython: one threading.Thread per task, all at once (under the GIL)"
}
func (PyThreads) Concurrency(plan Plan) int { return plan.Tasks }
func (PyThreads) Traits() Traits {
	// The GIL runs Python code on one CPU at a time, whatever the machine has.
	t := pyTraits("goroutines", false)
	t.OneCPU = true
	return t
}

func (PyThreads) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return runPython(ctx, "threads", plan, rec)
}
