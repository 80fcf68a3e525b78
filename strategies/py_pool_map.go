package strategies

import "context"

// PyPoolMap hands every task to multiprocessing.Pool.map: results come back
// together, and one failed task loses them all.
type PyPoolMap struct{}

func (PyPoolMap) Name() string { return "py-pool-map" }
func (PyPoolMap) Doc() string {
	return "CPython: multiprocessing.Pool of --workers, all tasks through map"
}
func (PyPoolMap) Concurrency(plan Plan) int { return min(plan.Workers, plan.Tasks) }
func (PyPoolMap) Traits() Traits            { return pyTraits("pool-map", true) }

func (PyPoolMap) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return runPython(ctx, "pool-map", plan, rec)
}
