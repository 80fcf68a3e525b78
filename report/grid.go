package report

import (
	"slices"

	"github.com/poolbench/poolbench/results"
)

// grid is a table ready to render, kept apart from any one output format so
// that the terminal, Markdown and HTML show the same cells.
type grid struct {
	Title   string
	Headers []string
	// Numeric marks the columns that hold figures, which read best aligned
	// to the right.
	Numeric []bool
	Rows    [][]string
}

// isSweep reports whether run is a pool-size scan, whose results hold one
// entry per strategy and pool size.
func isSweep(run *results.Run) bool { return len(run.Config.WorkerSizes) > 0 }

// workloadsOf lists the workloads that have results, in the order the run
// was configured with, then any others in the order they appear.
func workloadsOf(run *results.Run) []string {
	var out []string
	seen := map[string]bool{}
	have := map[string]bool{}
	for _, r := range run.Results {
		have[r.Workload] = true
	}
	for _, w := range run.Config.Workloads {
		if have[w] && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, r := range run.Results {
		if !seen[r.Workload] {
			seen[r.Workload] = true
			out = append(out, r.Workload)
		}
	}
	return out
}

// resultsFor returns the results of one workload in run order.
func resultsFor(run *results.Run, workload string) []*results.Result {
	var out []*results.Result
	for i := range run.Results {
		if run.Results[i].Workload == workload {
			out = append(out, &run.Results[i])
		}
	}
	return out
}

// strategiesOf lists the strategies that have results, in run order.
func strategiesOf(run *results.Run) []string {
	var out []string
	for _, r := range run.Results {
		if !slices.Contains(out, r.Strategy) {
			out = append(out, r.Strategy)
		}
	}
	return out
}

// label names a result in a table or chart: the strategy, with its pool size
// when the run is a sweep and the strategy appears more than once.
func label(run *results.Run, r *results.Result) string {
	if isSweep(run) && r.PoolSize > 0 {
		return r.Strategy + " ×" + itoa(r.PoolSize)
	}
	return r.Strategy
}

// subject names a result in a sentence: "pool-map on cpu".
func subject(run *results.Run, r *results.Result) string {
	return label(run, r) + " on " + r.Workload
}
