package strategies

import (
	"context"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

// Serial runs the tasks one after another in this goroutine: the baseline
// every speedup is measured against (the article's 100 x 10 s).
type Serial struct{}

func (Serial) Name() string         { return "serial" }
func (Serial) Doc() string          { return "one task after another in one goroutine: the baseline" }
func (Serial) Concurrency(Plan) int { return 1 }

func (Serial) Traits() Traits { return goTraits }

func (Serial) Run(ctx context.Context, plan Plan, rec *Recorder) error {
	if err := validate(plan); err != nil {
		return err
	}
	workloads.SetInProcess(true)
	start := time.Now()
	for i := range plan.Tasks {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := plan.runLocal(i)
		// Every task was submitted at the start, so its latency includes
		// the wait behind the ones before it, as in every other strategy.
		rec.Task(i, v, err, time.Since(start))
	}
	return nil
}
