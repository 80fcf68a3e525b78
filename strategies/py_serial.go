package strategies

import "context"

// PySerial runs the tasks one after another in CPython: the baseline of the
// py-* speedups.
type PySerial struct{}

func (PySerial) Name() string              { return "py-serial" }
func (PySerial) Doc() string               { return "CPython: one task after another, the py-* baseline" }
func (PySerial) Concurrency(plan Plan) int { return 1 }
func (PySerial) Traits() Traits            { return pyTraits("serial", false) }

func (PySerial) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	return runPython(ctx, "serial", plan, rec)
}
