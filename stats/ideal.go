package stats

import (
	"math"

	"github.com/poolbench/poolbench/results"
)

// The workload bounds the ideal model knows.
const (
	BoundCPU     = "cpu"     // run time divides over the CPUs in use
	BoundLatency = "latency" // tasks wait: their time overlaps freely
)

// IdealSeconds is the best wall time r's concurrency allows, from stored
// figures only:
//
//   - cpu-bound: the baseline's wall time spread over min(concurrency, CPUs),
//     since tasks cannot run faster than one CPU each, and no less than the
//     largest task's share of it (LongestTaskShare), which one CPU runs
//     alone whatever the others do; where the tasks are all the same size,
//     no less than ceil(tasks / concurrency) of them one after another,
//     since a pool's worker runs its tasks in turn;
//   - latency-bound: the tasks in waves of concurrency, each wave one
//     task's nominal duration long;
//
// and ok=false where there is no model (noop) or no baseline to scale.
// A pool used through the blocking Apply has concurrency 1, so its ideal
// is the baseline's time at any pool size.
func IdealSeconds(r, baseline *results.Result) (float64, bool) {
	conc := max(r.Concurrency, 1)
	switch r.Bound {
	case BoundCPU:
		if baseline == nil || baseline.WallSeconds.Median <= 0 {
			return 0, false
		}
		serial := baseline.WallSeconds.Median
		ideal := max(serial/float64(min(conc, max(r.CPUs, 1))), serial*r.LongestTaskShare)
		if n := float64(r.Tasks); n >= 1 && math.Abs(r.LongestTaskShare*n-1) < 1e-9 {
			ideal = max(ideal, math.Ceil(n/float64(conc))*serial/n)
		}
		return ideal, true
	case BoundLatency:
		if r.TaskNominalSeconds <= 0 || r.Tasks < 1 {
			return 0, false
		}
		return math.Ceil(float64(r.Tasks)/float64(conc)) * r.TaskNominalSeconds, true
	}
	return 0, false
}
