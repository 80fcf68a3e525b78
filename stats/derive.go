package stats

import "github.com/poolbench/poolbench/results"

// AllFailed reports whether no task of any measured trial of r succeeded:
// such a result measured nothing but failure, and has no throughput,
// speedup or efficiency.
func AllFailed(r *results.Result) bool {
	if len(r.Trials) == 0 {
		return r.Errors > 0 && r.Errors >= r.Tasks
	}
	for _, t := range r.Trials {
		if t.Errors < r.Tasks {
			return false
		}
	}
	return true
}

// Derive fills each result's derived figures from its stored ones:
// throughput, the ideal time, and the speedup and efficiency against its
// baseline (the result named by Baseline on the same workload, task count
// and task size). A figure that cannot be known stays nil. It is the only
// code that computes them; call it once, when the run is assembled.
func Derive(run *results.Run) {
	if run == nil {
		return
	}
	for i := range run.Results {
		r := &run.Results[i]
		r.TasksPerSecond, r.IdealSeconds, r.SpeedupVsSerial, r.Efficiency, r.WallRatioVsGo = nil, nil, nil, nil, nil
		r.BytesPerSecond, r.LastFinishVsIdeal, r.BytesPerSecondVsPipe = nil, nil, nil
		if AllFailed(r) || r.WallSeconds.Median <= 0 {
			continue
		}
		r.TasksPerSecond = ptr(float64(r.Tasks) / r.WallSeconds.Median)
		if r.BytesPerTask > 0 {
			r.BytesPerSecond = ptr(float64(r.BytesPerTask) * float64(r.Tasks) / r.WallSeconds.Median)
			if r.PipeBytesPerSecond != nil && *r.PipeBytesPerSecond > 0 {
				r.BytesPerSecondVsPipe = ptr(*r.BytesPerSecond / *r.PipeBytesPerSecond)
			}
		}
		base := Baseline(run, r)
		if base != nil && AllFailed(base) {
			base = nil // a baseline that did none of the work scales nothing
		}
		if ideal, ok := IdealSeconds(r, base); ok && ideal > 0 {
			r.IdealSeconds = ptr(ideal)
			r.Efficiency = ptr(ideal / r.WallSeconds.Median)
			if n := len(r.TaskFinishSeconds); n > 0 && r.TaskFinishSeconds[n-1] > 0 {
				r.LastFinishVsIdeal = ptr(r.TaskFinishSeconds[n-1] / ideal)
			}
		}
		if base != nil && base.WallSeconds.Median > 0 {
			r.SpeedupVsSerial = ptr(base.WallSeconds.Median / r.WallSeconds.Median)
		}
		if g := counterpart(run, r); g != nil && g.WallSeconds.Median > 0 && !AllFailed(g) {
			r.WallRatioVsGo = ptr(r.WallSeconds.Median / g.WallSeconds.Median)
		}
	}
}

// counterpart is the Go result r is the other language's analogue of: the
// same workload, task count and pool size; nil when it did not run.
func counterpart(run *results.Run, r *results.Result) *results.Result {
	if r.GoCounterpart == "" {
		return nil
	}
	for i := range run.Results {
		g := &run.Results[i]
		if g.Strategy == r.GoCounterpart && g.Workload == r.Workload && g.Tasks == r.Tasks && g.PoolSize == r.PoolSize {
			return g
		}
	}
	return nil
}

// Baseline is the result r's speedup is measured against, or nil when the
// run has none.
func Baseline(run *results.Run, r *results.Result) *results.Result {
	if r.Baseline == "" {
		return nil
	}
	for i := range run.Results {
		b := &run.Results[i]
		if b.Strategy == r.Baseline && b.Workload == r.Workload && b.Tasks == r.Tasks {
			return b
		}
	}
	return nil
}

func ptr(v float64) *float64 { return &v }

// IdealSpeedup is the speedup over the baseline that r's ideal time would
// give: the baseline's time over the ideal. ok is false when either figure
// is unknown.
func IdealSpeedup(r *results.Result) (float64, bool) {
	if r.SpeedupVsSerial == nil || r.Efficiency == nil || *r.Efficiency <= 0 {
		return 0, false
	}
	// speedup = base/wall and efficiency = ideal/wall, so base/ideal is
	// their ratio: no second copy of the model.
	return *r.SpeedupVsSerial / *r.Efficiency, true
}
