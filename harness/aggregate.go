package harness

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/poolbench/poolbench/measure"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/strategies"
	"gonum.org/v1/gonum/stat"
)

// summarize describes a figure over repeats.
func summarize(xs []float64) results.Summary {
	if len(xs) == 0 {
		return results.Summary{}
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	sum := results.Summary{
		Median: median(s),
		Mean:   stat.Mean(s, nil),
		Min:    s[0],
		Max:    s[len(s)-1],
		N:      len(s),
	}
	if len(s) > 1 {
		sum.Stddev = stat.StdDev(s, nil)
	}
	return sum
}

// median of sorted xs: the middle value, or the mean of the two middle
// values. (gonum's LinInterp quantile at 0.5 gives the lower of the two.)
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func pick[T any](trs []*trialResult, f func(*trialResult) T) []float64 {
	out := make([]float64, len(trs))
	for i, tr := range trs {
		out[i] = toFloat(f(tr))
	}
	return out
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	panic(fmt.Sprintf("harness: toFloat(%T)", v))
}

// aggregate turns one spec's measured trials into a Result.
func (p *plan) aggregate(spec TrialSpec, trs []*trialResult) results.Result {
	s, _ := strategies.Lookup(spec.Strategy)
	r := results.Result{
		Strategy:         spec.Strategy,
		Workload:         spec.Workload,
		Tasks:            spec.Tasks,
		Workers:          s.Concurrency(strategies.Plan{Tasks: spec.Tasks, Workers: spec.Workers}),
		Repeats:          len(trs),
		WallSeconds:      summarize(pick(trs, func(t *trialResult) float64 { return t.trial.WallSeconds })),
		CPUUserSeconds:   summarize(pick(trs, func(t *trialResult) float64 { return t.trial.CPUUserSeconds })),
		CPUSystemSeconds: summarize(pick(trs, func(t *trialResult) float64 { return t.trial.CPUSystemSeconds })),
		PeakRSSBytes:     summarize(pick(trs, func(t *trialResult) uint64 { return t.trial.PeakRSSBytes })),
		PeakProcesses:    summarize(pick(trs, func(t *trialResult) int { return t.trial.PeakProcesses })),
		ContextSwitches: summarize(pick(trs, func(t *trialResult) int64 {
			return t.trial.VoluntaryCtxSwitches + t.trial.InvoluntaryCtxSwitches
		})),
		ErrorKinds: map[string]int{},
	}
	if len(p.WorkerSizes) > 0 && strategies.UsesWorkers(spec.Strategy) {
		// A sweep keys the pool strategies' results on the pool size.
		r.Workers = spec.Workers
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
		r.Errors += t.Errors
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
	r.ProcessesSpawned = int(summarize(pick(trs, func(t *trialResult) int { return t.trial.ProcessesSpawned })).Median)
	if len(spawns) > 0 {
		sort.Float64s(spawns)
		r.SpawnSeconds = results.SpawnSummary{
			Count:  len(spawns),
			Median: median(spawns),
			P95:    stat.Quantile(0.95, stat.LinInterp, spawns, nil),
			Max:    spawns[len(spawns)-1],
			Total:  summarize(totals).Median,
		}
		if r.WallSeconds.Median > 0 {
			r.SpawnShare = r.SpawnSeconds.Total / r.WallSeconds.Median
		}
	}
	// Latency quantiles and the checksum come from the median trial.
	med := medianTrial(trs)
	r.TaskSeconds = med.trial.TaskSeconds
	r.Checksum = med.trial.Checksum
	last := trs[len(trs)-1]
	r.ParentPID = last.rec.PID
	r.CallbackPIDs = last.rec.Outcome.CallbackPIDs
	r.WorkerPIDs = last.rec.Outcome.WorkerPIDs
	var stretched time.Duration
	for _, tr := range trs {
		stretched = max(stretched, tr.interval)
	}
	if stretched > p.SampleInterval {
		r.Warnings = append(r.Warnings, fmt.Sprintf("its process tree (up to %.0f processes) was sampled every %v rather than %v, to keep the sampler within %.0f%% of a core",
			r.PeakProcesses.Max, stretched, p.SampleInterval, measure.CostBudget*100))
	}
	if r.WallSeconds.Median > 0 {
		r.TasksPerSecond = float64(spec.Tasks) / r.WallSeconds.Median
	}
	return r
}

func medianTrial(trs []*trialResult) *trialResult {
	s := slices.Clone(trs)
	sort.Slice(s, func(i, j int) bool { return s[i].trial.WallSeconds < s[j].trial.WallSeconds })
	return s[(len(s)-1)/2]
}

// derive fills the figures that compare a result with others: speedup and
// efficiency against its baseline on the same workload (serial, or
// py-serial for CPython's strategies), the wall-time ratio of a py-*
// strategy to its Go counterpart, and the checksum verdict: against Go's
// serial wherever it ran, so that CPython's results must equal Go's.
func derive(run *results.Run, p *plan) {
	byName := map[[2]string]*results.Result{}
	for i := range run.Results {
		r := &run.Results[i]
		byName[[2]string{r.Strategy, r.Workload}] = r
	}
	for i := range run.Results {
		r := &run.Results[i]
		d := strategies.Describe(r.Strategy)
		if d.Baseline != "serial" {
			r.SpeedupBaseline = d.Baseline
		}
		if counterpart := byName[[2]string{d.Counterpart, r.Workload}]; counterpart != nil && counterpart.WallSeconds.Median > 0 {
			r.GoCounterpart = d.Counterpart
			r.WallRatioVsGo = r.WallSeconds.Median / counterpart.WallSeconds.Median
		}
		check := byName[[2]string{"serial", r.Workload}]
		if check == nil {
			check = byName[[2]string{d.Baseline, r.Workload}]
		}
		if check != nil {
			checkSum(r, check)
		}
		base := byName[[2]string{d.Baseline, r.Workload}]
		if base == nil || r.WallSeconds.Median <= 0 {
			continue
		}
		r.SpeedupVsSerial = base.WallSeconds.Median / r.WallSeconds.Median
		if ideal := p.idealSeconds(r, base); ideal > 0 {
			r.Efficiency = ideal / r.WallSeconds.Median
		}
	}
}

// checkSum sets r's checksum verdict against base's. Only trials where
// every task succeeded, on both sides, can be compared: a failed task has
// no result to fold in.
func checkSum(r, base *results.Result) {
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

// idealSeconds is the best time the strategy's concurrency allows: for cpu,
// serial time spread over min(concurrency, CPUs); for io, the tasks in waves
// of concurrency, each wave one task long. noop has no ideal.
func (p *plan) idealSeconds(r *results.Result, serial *results.Result) float64 {
	// r.Workers is the pool size in a sweep; what bounds the ideal is how
	// many tasks the strategy runs at once (1 for pool-apply).
	conc := 1
	if s, err := strategies.Lookup(r.Strategy); err == nil {
		conc = max(s.Concurrency(strategies.Plan{Tasks: r.Tasks, Workers: r.Workers}), 1)
	}
	switch r.Workload {
	case "cpu":
		cpus := 1
		if r.Strategy != "goroutines-1cpu" {
			cpus = max(runtimeCPUs(), 1)
		}
		return serial.WallSeconds.Median / float64(min(conc, cpus))
	case "io":
		task := float64(p.sizes["io"]) / 1e9
		return math.Ceil(float64(r.Tasks)/float64(conc)) * task
	}
	return 0
}

func checkChecksums(run *results.Run) error {
	for _, r := range run.Results {
		if r.ChecksumOK != nil && !*r.ChecksumOK {
			return fmt.Errorf("%w: %s on %s computed different results from serial: its figures are invalid", ErrChecksum, r.Strategy, r.Workload)
		}
	}
	return nil
}
