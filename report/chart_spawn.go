package report

import (
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/poolbench/poolbench/results"
)

// spawnChart: the start-up cost of one process, start call to ready
// handshake, as a box plot over every spawn of every trial, per strategy
// that started processes.
func spawnChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "spawn.png",
		Title: "Process start-up cost (fork/exec to ready)",
		Caption: "Each box spans the middle half of the spawn times of one strategy, pooled over its trials, " +
			"with the median as the line inside and whiskers to the furthest spawn within 1.5 box lengths; dots are outliers. " +
			"A pool pays this cost once per worker, process-per-task once per task: multiply by the spawned column of the summary. " +
			"The black square above each box is the median start of the same worker binary alone, just before each trial: what a start costs " +
			"when no CPU must be waited for; the distance from it to the box is queueing. The open triangle below is the median CPU " +
			"(user+system) a process used to get ready, where it was recorded.",
	}
	var names []string
	f := figure{title: c.Title}
	rowsMax := 0
	for _, wl := range workloadsOf(run) {
		var rs []*results.Result
		for _, r := range chartRows(run, wl) {
			if spawns(r) > 0 {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 {
			continue
		}
		var all []float64
		for _, r := range rs {
			all = append(all, spawnTimes(r)...)
			all = append(all, r.SoloSpawnSeconds, spawnCPUMedian(r))
		}
		// A linear axis, so one unit for the whole panel, named on it.
		u, scale := timeUnit(slices.Max(all))
		xl := "spawn time per process (" + u + ")"
		p := newPanel(wl, xl, "")
		grid := plotter.NewGrid()
		grid.Horizontal.Width = 0
		grid.Vertical.Color = colourGrid
		p.Add(grid)
		labels := make([]string, len(rs))
		for i, r := range rs {
			vals := spawnTimes(r)
			for k := range vals {
				vals[k] *= scale
			}
			pos := rowPos(i, len(rs))
			b, err := plotter.NewBoxPlot(vg.Points(14), pos, plotter.Values(vals))
			if err != nil {
				return c, false, err
			}
			b.Horizontal = true
			col := strategyColour(r.Strategy)
			b.FillColor = col
			b.BoxStyle = draw.LineStyle{Color: outline(col), Width: vg.Points(0.8)}
			b.MedianStyle = draw.LineStyle{Color: colourInk, Width: vg.Points(1.6)}
			b.WhiskerStyle = draw.LineStyle{Color: outline(col), Width: vg.Points(0.8)}
			b.GlyphStyle = draw.GlyphStyle{Color: outline(col), Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
			p.Add(b)
			// Above and below the box's line, so that the two stay apart
			// where they are close, as they are when nothing waits.
			if err := addMarker(p, r.SoloSpawnSeconds*scale, pos+0.3, draw.BoxGlyph{}); err != nil {
				return c, false, err
			}
			if err := addMarker(p, spawnCPUMedian(r)*scale, pos-0.3, draw.TriangleGlyph{}); err != nil {
				return c, false, err
			}
			labels[len(rs)-1-i] = label(run, r)
			if !contains(names, r.Strategy) {
				names = append(names, r.Strategy)
			}
		}
		p.NominalY(labels...)
		p.X.Min = 0
		f.panels = append(f.panels, p)
		rowsMax = max(rowsMax, len(rs))
	}
	f.legend = strategyLegend(names)
	return f.render(c, rowsMax)
}

// spawnTimes pools the spawn durations of every trial of r.
func spawnTimes(r *results.Result) []float64 {
	var out []float64
	for _, t := range r.Trials {
		out = append(out, t.SpawnSeconds...)
	}
	return out
}

func spawns(r *results.Result) int { return len(spawnTimes(r)) }

// spawnCPUMedian is the median CPU a process of r used to get ready, over
// every spawn of every trial where it was measured; 0 where none was.
func spawnCPUMedian(r *results.Result) float64 { return r.SpawnCPUSeconds }

// addMarker marks one figure on a strategy's row; a figure of 0 was not
// measured and is not drawn.
func addMarker(p *plot.Plot, x, y float64, shape draw.GlyphDrawer) error {
	if x <= 0 {
		return nil
	}
	s, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: colourInk, Radius: vg.Points(3.5), Shape: shape}
	p.Add(s)
	return nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
