package report

import (
	"github.com/poolbench/poolbench/results"
)

// wallChart: median wall time per strategy, one panel per workload, with
// min–max whiskers over the trials.
func wallChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "wall.png",
		Title: "Wall time per strategy",
		Caption: "Each bar (a dot, where the axis is logarithmic) is the median wall time of a strategy over its trials, and the whisker spans the fastest " +
			"to the slowest trial; shorter is better. Compare within a panel: each workload has its own scale, " +
			"logarithmic where the strategies differ by orders of magnitude.",
	}
	return perWorkload(run, c, func(r *results.Result) (float64, float64, float64, bool) {
		w := r.WallSeconds
		return w.Median, w.Min, w.Max, w.N > 1
	}, timeAxis("wall time"), timeLabel)
}

// memoryChart: peak memory of the whole process tree, as PSS.
func memoryChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "memory.png",
		Title: "Peak memory of the process tree",
		Caption: "Each bar is the median peak memory of the trial's whole process tree, workers included, as PSS: " +
			"a page several processes share (the poolbench binary's text) is split between them, where the RSS top " +
			"shows counts it once per process. The whisker spans the trials. Process strategies pay for a runtime per " +
			"process, so their bars grow with the number of processes alive at once.",
	}
	what := "peak PSS (MiB)"
	for i := range run.Results {
		if run.Results[i].PeakPSSBytes.N == 0 {
			what = "peak memory, PSS or RSS (MiB)" // a results file from before PSS
		}
	}
	return perWorkload(run, c, func(r *results.Result) (float64, float64, float64, bool) {
		m := peakMemory(r)
		return m.Median, m.Min, m.Max, m.N > 1
	}, func(vals []float64) (string, float64) { return what, 1.0 / (1 << 20) }, plainLabel)
}

// axisFunc names the value axis of a panel and scales its values, given the
// values it will show.
type axisFunc func(vals []float64) (label string, scale float64)

// timeAxis picks one time unit for a panel from its largest value.
func timeAxis(what string) axisFunc {
	return func(vals []float64) (string, float64) {
		ref := 0.0
		for _, v := range vals {
			ref = max(ref, v)
		}
		if wideSpan(vals) {
			return what, 1 // the log axis labels each tick with its unit
		}
		u, s := timeUnit(ref)
		return what + " (" + u + ")", s
	}
}

// perWorkload draws one bar panel per workload from one figure of each
// result: its value and, when ok, its range.
func perWorkload(run *results.Run, c chart, pick func(*results.Result) (v, lo, hi float64, ranged bool), axis axisFunc, logLabel func(float64) string) (chart, bool, error) {
	f := figure{title: c.Title, legend: strategyLegend(strategiesOf(run))}
	rowsMax := 0
	for _, wl := range workloadsOf(run) {
		rs := chartRows(run, wl)
		vals := make([]float64, len(rs))
		for i, r := range rs {
			vals[i], _, _, _ = pick(r)
		}
		xl, scale := axis(vals)
		rows := make([]catRow, len(rs))
		for i, r := range rs {
			v, lo, hi, ranged := pick(r)
			rows[i] = catRow{label: label(run, r), colour: strategyColour(r.Strategy),
				value: v * scale, lo: lo * scale, hi: hi * scale, hasRange: ranged}
		}
		p, _, err := hbarPanel(wl, xl, rows, logLabel)
		if err != nil {
			return c, false, err
		}
		f.panels = append(f.panels, p)
		rowsMax = max(rowsMax, len(rows))
	}
	return f.render(c, rowsMax)
}
