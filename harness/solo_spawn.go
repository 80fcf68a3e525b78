package harness

import (
	"fmt"
	"io"
	"strings"

	"github.com/poolbench/poolbench/procpool"
)

// soloStarts is how many times the worker binary is started alone before a
// trial that starts workers: enough for a median that one slow start does
// not move.
const soloStarts = 3

// startsWorkers reports whether a strategy starts poolbench worker
// processes, whose start-up the solo starts are the baseline for.
func startsWorkers(strategy string) bool {
	return strategy == "process-per-task" || strings.HasPrefix(strategy, "pool-")
}

// soloSpawns starts the worker binary of spec's pools (poolbench-worker or
// poolbench itself) soloStarts times, one at a time with nothing else of
// poolbench running, and returns each start-to-ready time in seconds: what
// starting one of its workers costs when no CPU must be waited for.
func (p *plan) soloSpawns(spec TrialSpec) ([]float64, error) {
	bin := p.Executable
	if spec.WorkerBinary != "" {
		bin = spec.WorkerBinary
	}
	var out []float64
	for range soloStarts {
		pool, err := procpool.New(1, procpool.Command(bin), procpool.WorkerOutput(io.Discard, io.Discard))
		if err != nil {
			return nil, fmt.Errorf("harness: solo worker start: %w", err)
		}
		st := pool.Stats()
		pool.Close()
		if err := pool.Join(); err != nil {
			return nil, fmt.Errorf("harness: solo worker start: %w", err)
		}
		for _, s := range st.Spawns {
			if s.Duration > 0 {
				out = append(out, s.Duration.Seconds())
			}
		}
	}
	return out, nil
}
