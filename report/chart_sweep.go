package report

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// sweepWallChart: wall time against pool size, with each strategy's ideal
// time at each size as stored with the result.
func sweepWallChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "sweep-wall.png",
		Title: "Wall time against pool size",
		Caption: "Each solid line is a strategy's median wall time at each pool size, with whiskers from the fastest " +
			"to the slowest trial; the dashed line of the same colour is its ideal: serial time spread over the CPUs it can use for cpu work (no less than its longest task, or its tasks in turn on each worker), the tasks in waves of what it runs at once for io work; where strategies share an ideal, its dashes take their colours in turn. " +
			"Where the solid line flattens, more workers stop paying: the knee is listed in the notes.",
	}
	return sweepFigure(run, c, "wall time (s)", func(r *results.Result) (float64, float64, float64) {
		return r.WallSeconds.Median, r.WallSeconds.Min, r.WallSeconds.Max
	}, func(series []*results.Result, i int) (float64, bool) {
		if series[i].IdealSeconds == nil {
			return 0, false
		}
		return *series[i].IdealSeconds, true
	})
}

// sweepSpeedupChart: speedup over serial against pool size, with the ideal.
func sweepSpeedupChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "sweep-speedup.png",
		Title: "Speedup over serial against pool size",
		Caption: "Each solid line is how many times faster than serial a strategy ran at each pool size; the dashed " +
			"line of the same colour is its ideal: for io work, serial time over the waves its tasks take at what it runs at once " +
			"(1× for pool-apply, one task at a time), and for cpu work that concurrency capped at the host's cores, less where the longest task alone, or the tasks in turn on each worker, take longer. " +
			"Where strategies share an ideal, its dashes take their colours in turn. The gap between them is the overhead of the strategy, and it grows where the pool outnumbers the cores.",
	}
	return sweepFigure(run, c, "speedup over serial (×)", func(r *results.Result) (float64, float64, float64) {
		if r.SpeedupVsSerial == nil {
			return 0, 0, 0
		}
		return *r.SpeedupVsSerial, *r.SpeedupVsSerial, *r.SpeedupVsSerial
	}, func(series []*results.Result, i int) (float64, bool) {
		return stats.IdealSpeedup(series[i])
	})
}

// sweepFigure draws one panel per workload of a sweep: one line per
// strategy over pool size, and its ideal, dashed in its colour, where one
// is defined. Each strategy has its own: pool-apply's, one task at a time,
// is flat where a pool-apply-async of the same size runs its tasks in
// waves.
func sweepFigure(run *results.Run, c chart, yLabel string,
	pick func(*results.Result) (v, lo, hi float64),
	ideal func(series []*results.Result, i int) (float64, bool),
) (chart, bool, error) {
	f, ok, err := sweepPanels(run, c.Title, yLabel, pick, ideal)
	if !ok || err != nil {
		return c, false, err
	}
	png, err := f.png()
	c.PNG = png
	return c, err == nil, err
}

// sweepPanels builds sweepFigure's figure; false when there is nothing to
// draw.
func sweepPanels(run *results.Run, title, yLabel string,
	pick func(*results.Result) (v, lo, hi float64),
	ideal func(series []*results.Result, i int) (float64, bool),
) (figure, bool, error) {
	f := figure{title: title}
	if !isSweep(run) {
		return f, false, nil
	}
	var names []string
	hasIdeal := false
	for _, wl := range workloadsOf(run) {
		lines := sweepLines(run, wl, pick, ideal)
		if len(lines) == 0 {
			continue
		}
		p := newPanel(wl, "pool size (workers), log scale", yLabel)
		grid := plotter.NewGrid()
		grid.Vertical.Color, grid.Horizontal.Color = colourGrid, colourGrid
		p.Add(grid)
		var ticks []plot.Tick
		var ideals []plotter.XYs
		var colours []color.Color
		for _, sl := range lines {
			col := strategyColour(sl.strategy)
			for _, pt := range sl.pts {
				ticks = addTick(ticks, int(pt.X))
			}
			l, sc, err := plotter.NewLinePoints(sl.pts)
			if err != nil {
				return f, false, fmt.Errorf("%s on %s: %w", sl.strategy, wl, err)
			}
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.8)}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
			eb, err := plotter.NewYErrorBars(yRange{sl.pts, sl.errs})
			if err != nil {
				return f, false, err
			}
			eb.LineStyle = draw.LineStyle{Color: outline(col), Width: vg.Points(0.8)}
			eb.CapWidth = vg.Points(5)
			p.Add(l, sc, eb)
			if len(sl.ideals) >= 2 {
				ideals = append(ideals, sl.ideals)
				colours = append(colours, col)
			}
			if !contains(names, sl.strategy) {
				names = append(names, sl.strategy)
			}
		}
		drawn, err := addIdeals(p, ideals, colours)
		if err != nil {
			return f, false, err
		}
		hasIdeal = hasIdeal || drawn
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.Y.Min = 0
		f.panels = append(f.panels, p)
	}
	if len(f.panels) == 0 {
		return f, false, nil
	}
	f.legend = strategyLegend(names)
	if hasIdeal {
		f.legend = append(f.legend, legendItem{name: "ideal (dashed, same colour)", thumb: lineThumb{idealStyle}})
	}
	f.panelHeight = 2.8 * vg.Inch
	return f, true, nil
}

// sweepLine is one strategy's line on a workload's panel: its figure at
// each pool size with whiskers, and its own ideal where defined.
type sweepLine struct {
	strategy    string
	pts, ideals plotter.XYs
	errs        plotter.YErrors
}

// sweepLines are the lines of a workload's panel: strategies measured at
// two pool sizes or more.
func sweepLines(run *results.Run, wl string,
	pick func(*results.Result) (v, lo, hi float64),
	ideal func(series []*results.Result, i int) (float64, bool),
) []sweepLine {
	var out []sweepLine
	for _, s := range strategiesOf(run) {
		series := sweepSeries(run, s, wl)
		if len(series) < 2 {
			continue
		}
		sl := sweepLine{strategy: s}
		for i, r := range series {
			v, lo, hi := pick(r)
			if v <= 0 || r.PoolSize < 1 { // the pool-size axis is logarithmic
				continue
			}
			sl.pts = append(sl.pts, plotter.XY{X: float64(r.PoolSize), Y: v})
			sl.errs = append(sl.errs, struct{ Low, High float64 }{v - lo, hi - v})
			if iv, ok := ideal(series, i); ok {
				sl.ideals = append(sl.ideals, plotter.XY{X: float64(r.PoolSize), Y: iv})
			}
		}
		if len(sl.pts) >= 2 {
			out = append(out, sl)
		}
	}
	return out
}

// yRange is a line's points with their whiskers, for plotter.NewYErrorBars.
type yRange struct {
	plotter.XYs
	plotter.YErrors
}

func addTick(ticks []plot.Tick, n int) []plot.Tick {
	for _, t := range ticks {
		if t.Value == float64(n) {
			return ticks
		}
	}
	return append(ticks, plot.Tick{Value: float64(n), Label: itoa(n)})
}
