package harness

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/poolbench/poolbench/measure"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

func pick[T int | int64 | uint64 | float64](trs []*trialResult, f func(*trialResult) T) []float64 {
	out := make([]float64, len(trs))
	for i, tr := range trs {
		out[i] = float64(f(tr))
	}
	return out
}

// aggregate turns one spec's measured trials into a Result.
func (p *plan) aggregate(spec TrialSpec, trs []*trialResult) results.Result {
	s, _ := strategies.Lookup(spec.Strategy)
	w, _ := workloads.Lookup(spec.Workload)
	traits := s.Traits()
	r := results.Result{
		Strategy:         spec.Strategy,
		Workload:         spec.Workload,
		Tasks:            spec.Tasks,
		Concurrency:      s.Concurrency(strategies.Plan{Tasks: spec.Tasks, Workers: spec.Workers, MaxProcesses: spec.MaxProcesses}),
		CPUs:             p.cpus,
		Bound:            w.Bound,
		Baseline:         traits.Baseline,
		GoCounterpart:    traits.Counterpart,
		Repeats:          len(trs),
		WallSeconds:      stats.Summarize(pick(trs, func(t *trialResult) float64 { return t.trial.WallSeconds })),
		CPUUserSeconds:   stats.Summarize(pick(trs, func(t *trialResult) float64 { return t.trial.CPUUserSeconds })),
		CPUSystemSeconds: stats.Summarize(pick(trs, func(t *trialResult) float64 { return t.trial.CPUSystemSeconds })),
		PeakPSSBytes:     stats.Summarize(nonZero(pick(trs, func(t *trialResult) uint64 { return t.trial.PeakPSSBytes }))),
		PeakRSSBytes:     stats.Summarize(pick(trs, func(t *trialResult) uint64 { return t.trial.PeakRSSBytes })),
		PeakCgroupBytes:  stats.Summarize(nonZero(pick(trs, func(t *trialResult) uint64 { return t.trial.PeakCgroupBytes }))),
		PeakProcesses:    stats.Summarize(pick(trs, func(t *trialResult) int { return t.trial.PeakProcesses })),
		ContextSwitches: stats.Summarize(pick(trs, func(t *trialResult) int64 {
			return t.trial.VoluntaryCtxSwitches + t.trial.InvoluntaryCtxSwitches
		})),
		ErrorKinds: map[string]int{},
	}
	if traits.UsesPoolSize {
		r.PoolSize = spec.Workers
	}
	if traits.OneCPU {
		r.CPUs = 1
	}
	switch w.Bound {
	case workloads.BoundLatency:
		r.TaskNominalSeconds = float64(spec.Size) / 1e9
	case workloads.BoundCPU:
		r.LongestTaskShare = w.LongestTaskShare(spec.Size, p.Options, spec.Tasks)
	}
	var spawns, totals []float64
	for i, tr := range trs {
		t := tr.trial
		if i > 0 {
			t.Samples = nil // one time series per result is enough for the charts
		}
		r.Trials = append(r.Trials, t)
		spawns = append(spawns, t.SpawnSeconds...)
		var total float64
		for _, d := range t.SpawnSeconds {
			total += d
		}
		totals = append(totals, total)
		r.ErrorsTotal += t.Errors
		for k, n := range t.ErrorKinds {
			r.ErrorKinds[k] += n
		}
		for _, msg := range tr.rec.Outcome.ErrorSamples {
			if len(r.ErrorSamples) < 5 && !slices.Contains(r.ErrorSamples, msg) {
				r.ErrorSamples = append(r.ErrorSamples, msg)
			}
		}
	}
	if len(r.ErrorKinds) == 0 {
		r.ErrorKinds = nil
	}
	r.Errors = int(math.Round(stats.Summarize(pick(trs, func(t *trialResult) int { return t.trial.Errors })).Median))
	r.ProcessesSpawned = int(stats.Summarize(pick(trs, func(t *trialResult) int { return t.trial.ProcessesSpawned })).Median)
	if len(spawns) > 0 {
		sort.Float64s(spawns)
		r.SpawnSeconds = results.SpawnSummary{
			Count:  len(spawns),
			Median: stats.Median(spawns),
			P95:    stats.Quantile(0.95, spawns),
			Max:    spawns[len(spawns)-1],
			Total:  stats.Summarize(totals).Median,
		}
		if r.WallSeconds.Median > 0 {
			r.SpawnShare = r.SpawnSeconds.Total / r.WallSeconds.Median
		}
	}
	// Latency quantiles and the checksum come from the median trial.
	med := medianTrial(trs)
	r.TaskSeconds = med.trial.TaskSeconds
	r.TaskFinishSeconds = med.trial.TaskFinishSeconds
	if w.BytesPerTask != nil {
		r.BytesPerTask = w.BytesPerTask(spec.Options)
	}
	var pipes []float64
	for _, tr := range trs {
		if tr.trial.PipeBytesPerSecond > 0 {
			pipes = append(pipes, tr.trial.PipeBytesPerSecond)
		}
	}
	if len(pipes) > 0 {
		pipe := stats.Median(pipes)
		r.PipeBytesPerSecond = &pipe
	}
	r.Checksum = med.trial.Checksum
	last := trs[len(trs)-1]
	r.ParentPID = last.rec.PID
	r.CallbackPIDs = last.rec.Outcome.CallbackPIDs
	r.WorkerPIDs = last.rec.Outcome.WorkerPIDs
	r.NATSServer, r.Hosts = last.rec.Outcome.NATSServer, last.rec.Outcome.Hosts
	if r.NATSServer != "" {
		r.NATSServerStart = stats.Median(pick(trs, func(t *trialResult) float64 { return t.trial.NATSServerStart }))
	}
	var stretched time.Duration
	var solo, spawnCPU []float64
	for _, tr := range trs {
		stretched = max(stretched, tr.interval)
		solo = append(solo, tr.trial.SoloSpawnSeconds...)
		spawnCPU = append(spawnCPU, nonZero(slices.Clone(tr.trial.SpawnCPUSeconds))...)
	}
	r.SampleIntervalSeconds = stretched.Seconds()
	// A stretched interval is kept in the results; the user is told only
	// when it is long enough to miss a peak worth knowing about.
	if stretched > p.SampleInterval && stretched > stretchWarning {
		r.Warnings = append(r.Warnings, fmt.Sprintf("its process tree (up to %.0f processes) was sampled every %v rather than %v, to keep the sampler within %.0f%% of a core: short peaks of memory may be missed",
			r.PeakProcesses.Max, stretched, p.SampleInterval, measure.CostBudget*100))
	}
	if len(solo) > 0 {
		r.SoloSpawnSeconds = stats.Median(solo)
	}
	if len(spawnCPU) > 0 {
		r.SpawnCPUSeconds = stats.Median(spawnCPU)
	}
	markNoisyTrials(&r)
	return r
}

func medianTrial(trs []*trialResult) *trialResult {
	s := slices.Clone(trs)
	sort.Slice(s, func(i, j int) bool { return s[i].trial.WallSeconds < s[j].trial.WallSeconds })
	return s[(len(s)-1)/2]
}

// checkAgainstBaseline sets each result's checksum verdict: whether its
// tasks computed what Go's serial did on the same workload, wherever serial
// ran (so that CPython's results must equal Go's), else its own baseline.
func checkAgainstBaseline(run *results.Run) {
	for i := range run.Results {
		r := &run.Results[i]
		base := find(run, "serial", r)
		if base == nil {
			base = stats.Baseline(run, r)
		}
		if base == nil || base.Checksum == "" {
			continue
		}
		// Only trials where every task succeeded, on both sides, can be
		// compared: a failed task has no result to fold in.
		ok, compared := true, false
		for _, t := range r.Trials {
			if t.Errors == 0 && base.Errors == 0 {
				compared = true
				ok = ok && t.Checksum == base.Checksum
			}
		}
		if compared {
			r.ChecksumOK = &ok
		}
	}
}

// find returns the result of strategy on r's workload and task count.
func find(run *results.Run, strategy string, r *results.Result) *results.Result {
	for i := range run.Results {
		if b := &run.Results[i]; b.Strategy == strategy && b.Workload == r.Workload && b.Tasks == r.Tasks {
			return b
		}
	}
	return nil
}

func checkChecksums(run *results.Run) error {
	for _, r := range run.Results {
		if r.ChecksumOK != nil && !*r.ChecksumOK {
			return fmt.Errorf("%w: %s on %s computed different results from serial: its figures are invalid", ErrChecksum, r.Strategy, r.Workload)
		}
	}
	return nil
}
