package report

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// Comparison is what changed between two runs, figure by figure.
type Comparison struct {
	Old, New *results.Run
	Rows     []Row
	// Geomean holds the geometric mean of the new/old ratios of every row,
	// per figure: one number for "how much faster overall".
	Geomean Geomean
	// Memory names the memory figure compared: "peak PSS", the headline,
	// or "peak RSS" when either run lacks PSS.
	Memory string
	// OnlyOld and OnlyNew name the results present in one run only; they
	// are not compared.
	OnlyOld, OnlyNew []string
	// Mismatches says how the runs measured different things, when they
	// were compared anyway (CompareMismatched).
	Mismatches []string
}

// Row compares one strategy on one workload (and pool size, in a sweep).
type Row struct {
	Strategy string
	Workload string
	Workers  int // pool size; set only when either run is a sweep
	Wall     Delta
	CPU      Delta // user + system
	// Memory is the peak memory of the trial's process tree, in bytes:
	// PSS where both runs measured it, else the summed RSS (see
	// Comparison.Memory).
	Memory Delta
	// OldErrors and NewErrors are the failed tasks of each side's results
	// (per trial); a side whose every task failed measured only failure.
	OldErrors, NewErrors       int
	OldAllFailed, NewAllFailed bool
	// OldNoisy and NewNoisy say why a side's result was flagged noisy
	// (results.Result.NoisyReason): a change there may be the machine's.
	OldNoisy, NewNoisy string
}

// Delta is one figure in both runs.
type Delta struct {
	Old, New   float64 // medians over the trials
	OldN, NewN int     // trials behind each
	// Change is New/Old - 1: +0.10 is 10% more. NaN when Old is 0.
	Change float64
	// P is the two-sided Mann-Whitney U p-value on the per-trial values,
	// as benchstat computes it; NaN when a side has no trials.
	P float64
	// Significant is P <= 0.05, benchstat's alpha.
	Significant bool
	// Note explains a "~" as benchstat does: "p=0.400 n=3", and why.
	Note string
	// TooFew: too few trials for any change to be significant.
	TooFew bool
}

// Geomean is the geometric mean of the per-row ratios, as a change.
type Geomean struct {
	Wall, CPU, Memory float64 // NaN when no row has both values
}

// Compare matches the results of two runs and tests every difference. Runs
// that measured different things (Mismatches), or with no strategy in
// common, are not comparable and give an error; the first kind wraps
// ErrMismatch.
func Compare(old, new *results.Run) (*Comparison, error) {
	return compare(old, new, false)
}

// CompareMismatched is Compare for runs the caller knows measured different
// things: it compares what they share, and lists how they differ in
// Mismatches.
func CompareMismatched(old, new *results.Run) (*Comparison, error) {
	return compare(old, new, true)
}

func compare(old, new *results.Run, mismatched bool) (*Comparison, error) {
	if old == nil || new == nil {
		return nil, errors.New("report: compare: need two runs")
	}
	mismatches := Mismatches(old, new)
	if len(mismatches) > 0 && !mismatched {
		return nil, fmt.Errorf("report: compare: %w: %s", ErrMismatch, strings.Join(mismatches, "; "))
	}
	sweep := isSweep(old) || isSweep(new)
	key := func(r *results.Result) string {
		k := r.Strategy + " on " + r.Workload
		if sweep && r.PoolSize > 0 {
			k += fmt.Sprintf(" ×%d", r.PoolSize)
		}
		return k
	}
	newByKey := map[string]*results.Result{}
	for i := range new.Results {
		newByKey[key(&new.Results[i])] = &new.Results[i]
	}
	cmp := &Comparison{Old: old, New: new, Mismatches: mismatches, Memory: "peak PSS"}
	memory := func(t *results.Trial) float64 { return float64(t.PeakPSSBytes) }
	if !measuredPSS(old) || !measuredPSS(new) {
		// A run from before PSS was measured: compare what both have.
		cmp.Memory = "peak RSS"
		memory = func(t *results.Trial) float64 { return float64(t.PeakRSSBytes) }
	}
	matched := map[string]bool{}
	for i := range old.Results {
		o := &old.Results[i]
		k := key(o)
		n, ok := newByKey[k]
		if !ok {
			cmp.OnlyOld = append(cmp.OnlyOld, k)
			continue
		}
		matched[k] = true
		row := Row{Strategy: o.Strategy, Workload: o.Workload,
			OldErrors: o.Errors, NewErrors: n.Errors, OldAllFailed: stats.AllFailed(o), NewAllFailed: stats.AllFailed(n),
			OldNoisy: noisyReason(o), NewNoisy: noisyReason(n),
			Wall:   delta(o, n, func(t *results.Trial) float64 { return t.WallSeconds }),
			CPU:    delta(o, n, func(t *results.Trial) float64 { return t.CPUUserSeconds + t.CPUSystemSeconds }),
			Memory: delta(o, n, memory),
		}
		if sweep {
			row.Workers = o.PoolSize
		}
		if row.OldAllFailed || row.NewAllFailed {
			// A side whose every task failed did none of the work: its
			// times and memory compare with nothing, and are left out of
			// the geomeans and the regression gate (GateFailures says so).
			for _, d := range []*Delta{&row.Wall, &row.CPU, &row.Memory} {
				*d = Delta{Old: d.Old, New: d.New, OldN: d.OldN, NewN: d.NewN, Change: math.NaN(), P: math.NaN(),
					Note: "not compared: every task failed on one side"}
			}
		}
		cmp.Rows = append(cmp.Rows, row)
	}
	for i := range new.Results {
		if k := key(&new.Results[i]); !matched[k] {
			cmp.OnlyNew = append(cmp.OnlyNew, k)
		}
	}
	if len(cmp.Rows) == 0 {
		return nil, fmt.Errorf("report: compare: the runs share no strategy and workload (old: %s; new: %s)",
			orNone(cmp.OnlyOld), orNone(cmp.OnlyNew))
	}
	cmp.Geomean = Geomean{
		Wall:   geomean(cmp.Rows, func(r Row) Delta { return r.Wall }),
		CPU:    geomean(cmp.Rows, func(r Row) Delta { return r.CPU }),
		Memory: geomean(cmp.Rows, func(r Row) Delta { return r.Memory }),
	}
	return cmp, nil
}

// Regressions returns the rows whose wall time grew significantly by more
// than pct percent: what --fail-on-regression fails on.
func (c *Comparison) Regressions(pct float64) []Row {
	var out []Row
	for _, r := range c.Rows {
		if r.Wall.Significant && r.Wall.Change*100 > pct {
			out = append(out, r)
		}
	}
	return out
}

// delta compares one figure of o and n, taking the values from the trials
// so that the test sees every repeat.
func delta(o, n *results.Result, pick func(*results.Trial) float64) Delta {
	c := stats.Compare(trialValues(o, pick), trialValues(n, pick))
	return Delta{Old: c.Old, New: c.New, OldN: c.OldN, NewN: c.NewN, Change: c.Ratio, P: c.P,
		Significant: c.Significant, Note: c.Note, TooFew: c.TooFew}
}

func trialValues(r *results.Result, pick func(*results.Trial) float64) []float64 {
	out := make([]float64, 0, len(r.Trials))
	for i := range r.Trials {
		out = append(out, pick(&r.Trials[i]))
	}
	return out
}

func geomean(rows []Row, pick func(Row) Delta) float64 {
	sum, n := 0.0, 0
	for _, r := range rows {
		d := pick(r)
		if d.Old > 0 && d.New > 0 && !math.IsNaN(d.Change) {
			sum += math.Log(d.New / d.Old)
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return math.Exp(sum/float64(n)) - 1
}

func workloadSet(run *results.Run) []string {
	ws := workloadsOf(run)
	slices.Sort(ws)
	return ws
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// measuredPSS reports whether every trial of run has a PSS figure.
func measuredPSS(run *results.Run) bool {
	for _, r := range run.Results {
		for _, t := range r.Trials {
			if t.PeakPSSBytes == 0 {
				return false
			}
		}
	}
	return true
}

// noisyReason is why r was flagged noisy, "" if it was not.
func noisyReason(r *results.Result) string {
	if !r.Noisy {
		return ""
	}
	if r.NoisyReason == "" {
		return "flagged noisy"
	}
	return r.NoisyReason
}
