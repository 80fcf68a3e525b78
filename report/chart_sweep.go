package report

import (
	"fmt"

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
			"to the slowest trial; the dashed line of the same colour is its ideal: serial time spread over the CPUs it can use for cpu work, the tasks in waves of what it runs at once for io work. " +
			"Where the solid line flattens, more workers stop paying: the knee is listed in the notes.",
	}
	return sweepFigure(run, c, "wall time (s)", func(r *results.Result) (float64, float64, float64) {
		return r.WallSeconds.Median, r.WallSeconds.Min, r.WallSeconds.Max
	}, func(series []*results.Result, i int) (float64, bool) {
		if series[i].IdealSeconds == nil {
			return 0, false
		}
		return *series[i].IdealSeconds, true
	}, true)
}

// sweepSpeedupChart: speedup over serial against pool size, with the ideal.
func sweepSpeedupChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "sweep-speedup.png",
		Title: "Speedup over serial against pool size",
		Caption: "Each solid line is how many times faster than serial a strategy ran at each pool size; the dashed " +
			"line is the ideal: the pool size for io work, capped at the host's cores for cpu work. " +
			"The gap between them is the overhead of the strategy, and it grows where the pool outnumbers the cores.",
	}
	return sweepFigure(run, c, "speedup over serial (×)", func(r *results.Result) (float64, float64, float64) {
		if r.SpeedupVsSerial == nil {
			return 0, 0, 0
		}
		return *r.SpeedupVsSerial, *r.SpeedupVsSerial, *r.SpeedupVsSerial
	}, func(series []*results.Result, i int) (float64, bool) {
		return stats.IdealSpeedup(series[i])
	}, false)
}

// sweepFigure draws one panel per workload of a sweep: one line per
// strategy over pool size, and its ideal, dashed, where one is defined.
// perStrategyIdeal draws the ideal in each strategy's colour; otherwise one
// black ideal (the first strategy's, as the ideal does not depend on it).
func sweepFigure(run *results.Run, c chart, yLabel string,
	pick func(*results.Result) (v, lo, hi float64),
	ideal func(series []*results.Result, i int) (float64, bool),
	perStrategyIdeal bool,
) (chart, bool, error) {
	if !isSweep(run) {
		return c, false, nil
	}
	f := figure{title: c.Title}
	var names []string
	hasIdeal := false
	for _, wl := range workloadsOf(run) {
		p := newPanel(wl, "pool size (workers), log scale", yLabel)
		grid := plotter.NewGrid()
		grid.Vertical.Color, grid.Horizontal.Color = colourGrid, colourGrid
		p.Add(grid)
		var ticks []plot.Tick
		drawn, blackIdeal := false, false
		for _, s := range strategiesOf(run) {
			series := sweepSeries(run, s, wl)
			if len(series) < 2 {
				continue
			}
			col := strategyColour(s)
			var pts, ideals plotter.XYs
			var errs plotter.YErrors
			for i, r := range series {
				v, lo, hi := pick(r)
				if v <= 0 || r.PoolSize < 1 { // the pool-size axis is logarithmic
					continue
				}
				pts = append(pts, plotter.XY{X: float64(r.PoolSize), Y: v})
				errs = append(errs, struct{ Low, High float64 }{v - lo, hi - v})
				if iv, ok := ideal(series, i); ok {
					ideals = append(ideals, plotter.XY{X: float64(r.PoolSize), Y: iv})
				}
				ticks = addTick(ticks, r.PoolSize)
			}
			if len(pts) < 2 {
				continue
			}
			l, sc, err := plotter.NewLinePoints(pts)
			if err != nil {
				return c, false, fmt.Errorf("%s on %s: %w", s, wl, err)
			}
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.8)}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
			eb, err := plotter.NewYErrorBars(yRange{pts, errs})
			if err != nil {
				return c, false, err
			}
			eb.LineStyle = draw.LineStyle{Color: outline(col), Width: vg.Points(0.8)}
			eb.CapWidth = vg.Points(5)
			p.Add(l, sc, eb)
			if len(ideals) >= 2 && (perStrategyIdeal || !blackIdeal) {
				il, err := plotter.NewLine(ideals)
				if err != nil {
					return c, false, err
				}
				il.LineStyle = idealStyle
				if perStrategyIdeal {
					il.LineStyle.Color = col
				}
				p.Add(il)
				blackIdeal, hasIdeal = true, true
			}
			drawn = true
			if !contains(names, s) {
				names = append(names, s)
			}
		}
		if !drawn {
			continue
		}
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.Y.Min = 0
		f.panels = append(f.panels, p)
	}
	if len(f.panels) == 0 {
		return c, false, nil
	}
	f.legend = strategyLegend(names)
	if hasIdeal {
		name := "ideal"
		if perStrategyIdeal {
			name = "ideal (dashed, same colour)"
		}
		f.legend = append(f.legend, legendItem{name: name, thumb: lineThumb{idealStyle}})
	}
	f.panelHeight = 2.8 * vg.Inch
	png, err := f.png()
	c.PNG = png
	return c, err == nil, err
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
