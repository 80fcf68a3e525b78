package report

import "github.com/poolbench/poolbench/results"

// maxChartRows is the most results a per-result chart draws in one panel.
// Beyond it (a long sweep: every strategy at every pool size), a bar per
// result would make a figure thousands of rows tall, taking minutes to draw
// and showing nothing a reader can see; the sweep charts show every size.
const maxChartRows = 64

// chartRows is what a per-result chart draws for workload wl: every result,
// or, past maxChartRows, each strategy at its fastest pool size.
func chartRows(run *results.Run, wl string) []*results.Result {
	rs := resultsFor(run, wl)
	if len(rs) <= maxChartRows {
		return rs
	}
	best := map[string]*results.Result{}
	var order []string
	for _, r := range rs {
		b, seen := best[r.Strategy]
		if !seen {
			order = append(order, r.Strategy)
		}
		if !seen || (r.WallSeconds.Median > 0 && r.WallSeconds.Median < b.WallSeconds.Median) {
			best[r.Strategy] = r
		}
	}
	out := make([]*results.Result, 0, len(order))
	for _, s := range order {
		out = append(out, best[s])
	}
	return out
}

// chartsTrimmed reports whether any workload of run has more results than a
// per-result chart draws.
func chartsTrimmed(run *results.Run) bool {
	for _, wl := range workloadsOf(run) {
		if len(resultsFor(run, wl)) > maxChartRows {
			return true
		}
	}
	return false
}
