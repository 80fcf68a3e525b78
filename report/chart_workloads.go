package report

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/poolbench/poolbench/results"
)

// pipeLabel names the raw pipe row beside the strategies, drawn in a grey
// no strategy has.
const pipeLabel = "raw pipe"

var colourPipe = rgb(0x99, 0x99, 0x99)

// bytesChart: bytes moved per second by each strategy on a data-moving
// workload (payload), with the raw pipe measured in the same run as the
// reference.
func bytesChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "bytes.png",
		Title: "Bytes moved per second",
		Caption: "Each bar is the bytes a strategy moved per second of wall time (every task's input and output over the median wall time); " +
			"the grey bar is the raw pipe measured in the same run: the same bytes to a child process and back, one round trip at a time, with no framing or pool, copied into and out of the pipe each way (the process pool lends large arguments and results to the pipe instead, so it can come close to the pipe, or pass it with two workers at once). " +
			"In-process strategies pass a pointer and can beat the pipe; a process strategy's ratio to the pipe is what its IPC keeps of it.",
	}
	f := figure{title: c.Title, legend: strategyLegend(strategiesOf(run))}
	rowsMax := 0
	for _, wl := range workloadsOf(run) {
		var rows []catRow
		pipe := 0.0
		for _, r := range resultsFor(run, wl) {
			if r.BytesPerSecond == nil {
				continue
			}
			rows = append(rows, catRow{label: label(run, r), colour: strategyColour(r.Strategy), value: *r.BytesPerSecond / (1 << 20)})
			if r.PipeBytesPerSecond != nil {
				pipe = *r.PipeBytesPerSecond
			}
		}
		if len(rows) == 0 {
			continue
		}
		if pipe > 0 {
			rows = append(rows, catRow{label: pipeLabel, colour: colourPipe, value: pipe / (1 << 20)})
		}
		p, _, err := hbarPanel(wl, "MiB per second", rows, plainLabel)
		if err != nil {
			return c, false, err
		}
		f.panels = append(f.panels, p)
		rowsMax = max(rowsMax, len(rows))
	}
	return f.render(c, rowsMax)
}

// finishChart: the distribution of task finishing times of each strategy,
// as a CDF, for the workloads whose tail matters (those with stragglers:
// skewed). A strategy that copes with stragglers rises steeply and ends
// early; one that queued a long task behind others ends late.
func finishChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "finish-cdf.png",
		Title: "When tasks finished",
		Caption: "Each line is a strategy's tasks' finishing times since the batch started (median trial), as the share of tasks done by then; " +
			"the dashed vertical line of the same colour is the ideal of a strategy that runs tasks at once, from its own baseline (serial's time, py-serial's for CPython's strategies, over the CPUs it can use, or its longest task alone where that takes longer); where strategies share an ideal, its dashes take their colours in turn. " +
			"Where a line's last step lands far right of it, a straggler ran alone at the end: a pool that handed out tasks in large chunks, or too few workers, shows that tail.",
	}
	f := figure{title: c.Title}
	var names []string
	hasIdeal := false
	for _, wl := range workloadsOf(run) {
		if !tailMatters(run, wl) {
			continue
		}
		p := newPanel(wl, "finishing time since the batch started (s)", "share of tasks done")
		grid := plotter.NewGrid()
		grid.Vertical.Color, grid.Horizontal.Color = colourGrid, colourGrid
		p.Add(grid)
		var ideals []plotter.XYs
		var colours []color.Color
		for _, r := range resultsFor(run, wl) {
			q := r.TaskFinishSeconds
			if len(q) < 2 {
				continue
			}
			pts := make(plotter.XYs, len(q))
			for i, v := range q {
				pts[i] = plotter.XY{X: v, Y: float64(i) / float64(len(q)-1)}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return c, false, fmt.Errorf("%s on %s: %w", r.Strategy, wl, err)
			}
			l.LineStyle = draw.LineStyle{Color: strategyColour(r.Strategy), Width: vg.Points(1.8)}
			l.StepStyle = plotter.PostStep
			p.Add(l)
			if !slices.Contains(names, r.Strategy) {
				names = append(names, r.Strategy)
			}
			// Each its own: CPython's strategies are held to py-serial's
			// time, and a pool's ideal is not a process per task's.
			if r.IdealSeconds != nil && r.Concurrency > 1 {
				ideals = append(ideals, plotter.XYs{{X: *r.IdealSeconds, Y: 0}, {X: *r.IdealSeconds, Y: 1}})
				colours = append(colours, strategyColour(r.Strategy))
			}
		}
		drawn, err := addIdeals(p, ideals, colours)
		if err != nil {
			return c, false, err
		}
		hasIdeal = hasIdeal || drawn
		p.Y.Min, p.Y.Max = 0, 1
		p.X.Min = 0
		f.panels = append(f.panels, p)
	}
	f.legend = strategyLegend(names)
	if hasIdeal {
		f.legend = append(f.legend, legendItem{name: "ideal (dashed, same colour)", thumb: lineThumb{idealStyle}})
	}
	return f.render(c, 8)
}

// tailMatters reports whether a workload's chart of finishing times says
// something: its tasks are uneven (skewed) and the run kept the times.
func tailMatters(run *results.Run, wl string) bool {
	if wl != "skewed" {
		return false
	}
	for _, r := range resultsFor(run, wl) {
		if len(r.TaskFinishSeconds) > 1 {
			return true
		}
	}
	return false
}
