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

// soloSpawns starts the worker binary soloStarts times, one at a time with
// nothing else of poolbench running, and returns each start-to-ready time
// in seconds: what starting a process costs when no CPU must be waited for.
func (p *plan) soloSpawns() ([]float64, error) {
	var out []float64
	for range soloStarts {
		pool, err := procpool.New(1, procpool.Command(p.Executable), procpool.WorkerOutput(io.Discard, io.Discard))
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
