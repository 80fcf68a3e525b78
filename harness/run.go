package harness

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
	"github.com/poolbench/poolbench/strategies"
)

// Progress describes the trial under way, for a progress bar.
type Progress struct {
	Trial, Trials int // 1-based index of the trial, and how many there are
	Strategy      string
	Workload      string
	Workers       int
	Warmup        bool
	TasksDone     int64
	Tasks         int
}

// ErrChecksum is returned, with the run, when a strategy's results differ
// from serial's: it did different work, lost tasks or ran some twice, and its
// figures mean nothing.
var ErrChecksum = errors.New("checksum mismatch")

// Version is poolbench's version as the build recorded it.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// NewRun is the header every experiment's run starts from: the schema
// and build that write it, the machine, the time, and the plan.
func NewRun(command string, cfg results.Config) *results.Run {
	return &results.Run{
		SchemaVersion:    results.SchemaVersion,
		PoolbenchVersion: Version(),
		Command:          command,
		StartedAt:        time.Now().UTC(),
		Host:             hostInfo(),
		Config:           cfg,
	}
}

// Run carries out cfg. Trials run one at a time, each in its own process:
// for each workload, a warm-up of every strategy, then the repeats taken in
// turn (strategy A, B, ..., A, B, ...) so that a drift in the machine's speed
// spreads over every strategy instead of landing on one.
//
// If ctx ends, the trial under way is killed and Run returns what was
// measured so far, marked partial, with ctx's error.
func Run(ctx context.Context, cfg Config, progress func(Progress)) (*results.Run, error) {
	p, err := cfg.validate(ctx)
	if err != nil {
		return nil, err
	}
	run := NewRun("run", results.Config{
		Workloads:      cfg.Workloads,
		Strategies:     p.Strategies,
		Tasks:          cfg.Tasks,
		Workers:        cfg.Workers,
		WorkerSizes:    cfg.WorkerSizes,
		TaskSize:       p.sizesAsGiven(),
		Repeat:         cfg.Repeat,
		Warmup:         cfg.Warmup,
		SampleInterval: cfg.SampleInterval.String(),
		Inject:         cfg.Faults.String(),
	})
	p.recordOptions(&run.Config)
	if cfg.Faults.Any() {
		run.Config.Seed = cfg.Faults.Seed
	}
	if cfg.TaskTimeout > 0 {
		run.Config.TaskTimeout = cfg.TaskTimeout.String()
	}
	if cfg.ChunkSize > 0 && p.mapsInChunks() {
		run.Config.ChunkSize = cfg.ChunkSize
	}
	if p.maxProcesses > 0 && p.runsProcessPerTask() {
		run.Config.MaxProcesses = p.maxProcesses
	}
	if p.python.Path != "" {
		run.Config.Python, run.Config.PyStartMethod = p.python.Path, p.startMethod
		run.Host.PythonVersion = p.python.Version
	}
	run.Notes = append(run.Notes, p.notes...)
	switch {
	case cfg.Command != "":
		run.Command = cfg.Command
	case len(cfg.WorkerSizes) > 0:
		run.Command = "sweep"
	}
	specs := p.specs()
	p.recordWorkerBinary(run, specs)
	cfg.Journal.Begin(run)
	total := len(specs) * (cfg.Warmup + cfg.Repeat)
	n := 0
	measured := map[TrialSpec][]*trialResult{}
	// pipe is the raw pipe bandwidth measured before the current repeat of
	// a data-moving workload, kept with each of its trials.
	var pipe float64
	do := func(spec TrialSpec, warmup bool) error {
		n++
		pr := Progress{Trial: n, Trials: total, Strategy: spec.Strategy, Workload: spec.Workload,
			Workers: spec.Workers, Warmup: warmup, Tasks: spec.Tasks}
		if progress != nil {
			progress(pr)
		}
		tr, err := p.execTrial(ctx, spec, func(done int64) {
			if progress != nil {
				pr.TasksDone = done
				progress(pr)
			}
		})
		if err != nil {
			return err
		}
		if !warmup {
			tr.trial.Repeat = len(measured[spec]) + 1
			tr.trial.PipeBytesPerSecond = pipe
			measured[spec] = append(measured[spec], tr)
			cfg.Journal.trial(tr)
		}
		return nil
	}
	var runErr error
loop:
	for _, w := range p.workloads {
		var group []TrialSpec
		for _, s := range specs {
			if s.Workload == w.Name {
				group = append(group, s)
			}
		}
		for range cfg.Warmup {
			for _, s := range group {
				if runErr = do(s, true); runErr != nil {
					break loop
				}
			}
		}
		for range cfg.Repeat {
			if pipe, runErr = p.measurePipe(ctx, w); runErr != nil {
				break loop
			}
			for _, s := range group {
				if runErr = do(s, false); runErr != nil {
					break loop
				}
			}
		}
	}
	p.assemble(run, specs, measured)
	if p.cgroupErr != nil {
		run.Notes = append(run.Notes, fmt.Sprintf("trials ran without a memory cgroup of their own (%v): peak_cgroup_bytes not measured", p.cgroupErr))
	}
	run.FinishedAt = time.Now().UTC()
	defer cfg.Journal.End(run)
	if runErr != nil {
		run.Partial = true
		run.Notes = append(run.Notes, partialNote(ctx, runErr))
		return run, runErr
	}
	if err := checkChecksums(run); err != nil {
		return run, err
	}
	if err := checkMeasured(run); err != nil {
		return run, err
	}
	return run, nil
}

// assemble aggregates each spec's measured trials into the run's results
// and derives their figures: for Run, and for Rebuild from a journal.
func (p *plan) assemble(run *results.Run, specs []TrialSpec, measured map[TrialSpec][]*trialResult) {
	for _, s := range specs {
		if trs := measured[s]; len(trs) > 0 {
			run.Results = append(run.Results, p.aggregate(s, trs))
		}
	}
	stats.Derive(run)
	markNoisyEfficiency(run)
	checkAgainstBaseline(run)
}

// partialNote is the note a run cut short by err carries: the cause of
// ctx's end when it ended (a caller's "interrupted by SIGINT", not the
// "context canceled" or "signal: killed" of whatever it stopped), else
// err.
func partialNote(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return fmt.Sprintf("partial run: %v", err)
}

// specs lists every (workload, strategy, pool size) the plan measures.
func (p *plan) specs() []TrialSpec {
	sizes := p.WorkerSizes
	if len(sizes) == 0 {
		sizes = []int{p.Workers}
	}
	var out []TrialSpec
	for _, w := range p.workloads {
		for _, s := range p.strategies {
			if ok, _ := applies(w, s); !ok {
				continue
			}
			sizes := sizes
			if !s.Traits().UsesPoolSize {
				sizes = sizes[:1] // the same at every pool size: run once
			}
			for _, k := range sizes {
				spec := TrialSpec{Strategy: s.Name(), Workload: w.Name, Size: p.sizes[w.Name], Options: p.Options, Tasks: p.Tasks, Workers: k, MaxProcesses: p.maxProcesses,
					ChunkSize: p.ChunkSize,
					Faults:    p.Faults, TaskTimeout: p.TaskTimeout,
					WorkerBinary: p.workerBinaryFor(s.Name(), w)}
				if s.Traits().Language == "python" {
					spec.Python, spec.PyStartMethod = p.python.Path, p.startMethod
				}
				if strategies.IsNATS(s.Name()) {
					spec.NATSURL, spec.NATSListen = p.NATSURL, p.NATSListen
				}
				out = append(out, spec)
			}
		}
	}
	return out
}
