package claims

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// The functions in this file are the only ones that read a result's stored
// figures beyond its wall times: each claim asks them, so that a change in
// how results.json stores a figure is one edit here.

// resultsOf lists the run's results of strategy on workload that have a
// wall time: one per pool size in a sweep, one otherwise.
func resultsOf(run *results.Run, strategy, workload string) []*results.Result {
	var out []*results.Result
	for i := range run.Results {
		r := &run.Results[i]
		if r.Strategy == strategy && r.Workload == workload && r.WallSeconds.Median > 0 {
			out = append(out, r)
		}
	}
	return out
}

// find returns the first result of strategy on workload that has a wall
// time, or nil: for the strategies a run holds once per workload.
func find(run *results.Run, strategy, workload string) *results.Result {
	if rs := resultsOf(run, strategy, workload); len(rs) > 0 {
		return rs[0]
	}
	return nil
}

// poolSize is the number of workers r's pool kept, as stored with it.
func poolSize(_ *results.Run, r *results.Result) int { return r.PoolSize }

// poolOf returns the result of strategy on workload whose pool had size
// workers, or nil.
func poolOf(run *results.Run, strategy, workload string, workers int) *results.Result {
	for _, r := range resultsOf(run, strategy, workload) {
		if poolSize(run, r) == workers {
			return r
		}
	}
	return nil
}

// poolSizes lists the distinct pool sizes strategy ran with on any of the
// workloads, in the order the run holds them.
func poolSizes(run *results.Run, strategy string, workloads ...string) []int {
	var out []int
	seen := map[int]bool{}
	for _, w := range workloads {
		for _, r := range resultsOf(run, strategy, w) {
			if n := poolSize(run, r); !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// speedupOf is r's stored speedup over its baseline; 0 when it is unknown
// (no baseline measured, or every task failed).
func speedupOf(_ *results.Run, r *results.Result) float64 {
	if r == nil || r.SpeedupVsSerial == nil {
		return 0
	}
	return *r.SpeedupVsSerial
}

// idealSpeedupOf is the speedup r's stored ideal time would give over its
// baseline (stats owns the model); 0 when unknown.
func idealSpeedupOf(r *results.Result) float64 {
	v, _ := stats.IdealSpeedup(r)
	return v
}

// efficiencyOf is r's stored ideal time over its wall time; 0 when unknown.
func efficiencyOf(r *results.Result) float64 {
	if r == nil || r.Efficiency == nil {
		return 0
	}
	return *r.Efficiency
}

// cpus is how many CPUs the run's goroutines could use at once: GOMAXPROCS
// as the runtime set it, which follows the CPUs this process may use.
func cpus(run *results.Run) int {
	switch {
	case run.Host.GOMAXPROCS > 0:
		return run.Host.GOMAXPROCS
	case run.Host.UsableCPUs > 0:
		return run.Host.UsableCPUs
	}
	return run.Host.CPUs
}

// perTaskSeconds is the serial baseline's median wall time per task on
// workload: how much work one task is; 0 without that result.
func perTaskSeconds(run *results.Run, serial, workload string) float64 {
	base := find(run, serial, workload)
	if base == nil || base.Tasks < 1 {
		return 0
	}
	return base.WallSeconds.Median / float64(base.Tasks)
}

// memory is r's headline peak memory and the name of the figure: the
// proportional set size summed over the tree, which splits a page shared by
// several processes between them; the resident set, which counts it in
// each, only where no PSS was measured.
func memory(r *results.Result) (float64, string) {
	if r.PeakPSSBytes.Median > 0 {
		return r.PeakPSSBytes.Median, "peak PSS"
	}
	return r.PeakRSSBytes.Median, "peak RSS"
}

// taskFailures counts the failed tasks of r's measured trials, and the tasks
// those trials ran.
func taskFailures(r *results.Result) (failed, total int) {
	if len(r.Trials) > 0 {
		for _, t := range r.Trials {
			failed += t.Errors
		}
		return failed, r.Tasks * len(r.Trials)
	}
	return r.ErrorsTotal, r.Tasks * max(r.Repeats, 1)
}

// UnstableCV is the coefficient of variation of wall time above which a
// result counts as noisy, as the report flags it.
const UnstableCV = 0.10

// noisy says why r's wall times are not to be trusted on a close call, or
// "": the harness flagged it (other work on the machine during its trials),
// or its trials spread widely.
func noisy(r *results.Result) string {
	var why []string
	if r.Noisy {
		why = append(why, cmp.Or(r.NoisyReason, "flagged noisy"))
	}
	if cv := r.WallSeconds.CV(); r.WallSeconds.N > 1 && cv > UnstableCV {
		// One decimal, so that a CV just over the limit does not print as it.
		why = append(why, fmt.Sprintf("wall times spread with a CV of %.1f%% (over %s)", 100*cv, pct(UnstableCV)))
	}
	return strings.Join(why, "; ")
}

// busy reports whether other work ran on the machine during any of r's
// trials, as the harness measured it (/proc/stat against the trial's own
// CPU time).
func busy(r *results.Result) bool {
	for _, t := range r.Trials {
		if t.NoisyReason != "" {
			return true
		}
	}
	return false
}

// checksumDiffers reports whether r computed other results than serial.
func checksumDiffers(r *results.Result) bool { return r.ChecksumOK != nil && !*r.ChecksumOK }
