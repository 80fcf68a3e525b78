package report

import (
	"fmt"

	"github.com/poolbench/poolbench/results"
)

// goVsPythonChart: for each py-* strategy that ran beside its Go
// counterpart, how many times CPython's wall time is Go's.
func goVsPythonChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "go-vs-cpython.png",
		Title: "Go vs CPython, per strategy",
		Caption: "Each bar is how many times longer CPython's version of a strategy took than the Go strategy it " +
			"stands beside (median wall time over median wall time, same tasks, same machine); 1 means as fast, " +
			"more means slower. The ratio mixes the language's speed at the task with what each runtime pays to run it.",
	}
	var shown []string
	for _, r := range run.Results {
		if r.WallRatioVsGo != nil {
			shown = append(shown, r.Strategy)
		}
	}
	if len(shown) == 0 {
		return c, false, nil
	}
	f := figure{title: c.Title, legend: strategyLegend(dedupe(shown))}
	rowsMax := 0
	for _, wl := range workloadsOf(run) {
		var rows []catRow
		for _, r := range resultsFor(run, wl) {
			if r.WallRatioVsGo == nil {
				continue
			}
			rows = append(rows, catRow{label: label(run, r) + " / " + r.GoCounterpart,
				colour: strategyColour(r.Strategy), value: *r.WallRatioVsGo})
		}
		if len(rows) == 0 {
			continue
		}
		p, _, err := hbarPanel(wl, "CPython's wall time over Go's (×)", rows, plainLabel)
		if err != nil {
			return c, false, err
		}
		f.panels = append(f.panels, p)
		rowsMax = max(rowsMax, len(rows))
	}
	return f.render(c, rowsMax)
}

func dedupe(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// pythonNotes says what the py-* figures are measured against, and, in one
// sentence each, where CPython's pool hung.
func pythonNotes(run *results.Run) []string {
	var out []string
	for _, r := range run.Results {
		if r.Baseline == "py-serial" {
			out = append(out, "the speedups of CPython's py-* strategies are against py-serial, CPython running the same tasks in turn")
			break
		}
	}
	for _, r := range run.Results {
		if n := r.ErrorKinds["hung"]; n > 0 {
			out = append(out, fmt.Sprintf("%s: %s hung, because CPython's Pool waits forever for a task whose worker died (gh-66587); "+
				"poolbench killed the interpreter once no task had finished for the run's bound, where a Go pool fails that one task and goes on",
				subject(run, &r), plural(n, "task")))
		}
	}
	return out
}
