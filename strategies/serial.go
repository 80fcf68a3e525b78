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
	// The loop runs on a goroutine of its own, not on the caller's. Run on
	// a trial process's main goroutine, the same loop used about a quarter
	// more CPU per task (1.03 s against 0.79 s for 100 tasks of 100k
	// rounds, pinned to one CPU or not, with GOMAXPROCS 1 or 2), which made
	// every speedup against serial look that much better; on a fresh
	// goroutine it matches goroutines-1cpu, and a test-binary loop, task
	// for task. Why the main goroutine is slower here is not yet known.
	done := make(chan error, 1)
	go func() {
		for i := range plan.Tasks {
			if err := ctx.Err(); err != nil {
				done <- err
				return
			}
			plan.recordLocal(i, rec, start)
		}
		done <- nil
	}()
	return <-done
}
