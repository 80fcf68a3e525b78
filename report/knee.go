package report

import (
	"slices"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// kneeTolerance is how close to its best a pool size must come to count as
// good enough: within 5%, closer than most runs can tell apart.
const kneeTolerance = 0.05

// sweepSeries returns the results of one strategy on one workload, ordered
// by pool size, leaving out those with no wall time and those whose every
// task failed (fast, and no knee).
func sweepSeries(run *results.Run, strategy, workload string) []*results.Result {
	var out []*results.Result
	for i := range run.Results {
		r := &run.Results[i]
		if r.Strategy == strategy && r.Workload == workload && r.WallSeconds.Median > 0 && !stats.AllFailed(r) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b *results.Result) int { return a.PoolSize - b.PoolSize })
	return out
}

// Knee returns the smallest pool size whose median wall time is within 5%
// of the best median of that strategy on that workload: past it, more
// workers buy little. ok is false when the run has no such results.
func Knee(run *results.Run, strategy, workload string) (workers int, ok bool) {
	if run == nil {
		return 0, false
	}
	series := sweepSeries(run, strategy, workload)
	if len(series) == 0 {
		return 0, false
	}
	best := series[0].WallSeconds.Median
	for _, r := range series {
		best = min(best, r.WallSeconds.Median)
	}
	for _, r := range series {
		if r.WallSeconds.Median <= best*(1+kneeTolerance) {
			return r.PoolSize, true
		}
	}
	return 0, false // not reached: the best is within 5% of itself
}
