package harness

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/poolbench/poolbench/natspool"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/strategies"
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

// soloSpawns starts the worker binary of spec's pools (poolbench-worker,
// poolbench-natsworker, or poolbench itself) soloStarts times, one at a time
// with nothing else of poolbench running, and returns each start-to-ready
// time in seconds: what starting one of its workers costs when no CPU must
// be waited for. A NATS pool's worker is started by a pool of its own with
// an embedded server, its ready being its handshake through the server, as
// in the trial.
func (p *plan) soloSpawns(spec TrialSpec) ([]float64, error) {
	bin := p.Executable
	if spec.WorkerBinary != "" {
		bin = spec.WorkerBinary
	}
	var out []float64
	for range soloStarts {
		spawns, err := soloStart(bin, strategies.IsNATS(spec.Strategy))
		if err != nil {
			return nil, fmt.Errorf("harness: solo worker start: %w", err)
		}
		for _, d := range spawns {
			if d > 0 {
				out = append(out, d.Seconds())
			}
		}
	}
	return out, nil
}

// soloStart starts a pool of one worker from bin, closes it and returns
// the start-to-ready times it lists.
func soloStart(bin string, nats bool) ([]time.Duration, error) {
	var out []time.Duration
	var pool interface {
		Close()
		Join() error
	}
	if nats {
		p, err := natspool.New(1, natspool.Command(bin), natspool.WorkerOutput(io.Discard, io.Discard))
		if err != nil {
			return nil, err
		}
		for _, s := range p.Stats().Spawns {
			out = append(out, s.Duration)
		}
		pool = p
	} else {
		p, err := procpool.New(1, procpool.Command(bin), procpool.WorkerOutput(io.Discard, io.Discard))
		if err != nil {
			return nil, err
		}
		for _, s := range p.Stats().Spawns {
			out = append(out, s.Duration)
		}
		pool = p
	}
	pool.Close()
	return out, pool.Join()
}
