package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/poolbench/poolbench/results"
)

// quantileGlyphs mark the quantiles of a latency row, the same in every
// chart, so that the legend explains them once.
var quantileGlyphs = []struct {
	name  string
	shape draw.GlyphDrawer
	pick  func(q results.Quantiles) float64
}{
	{"p50 (median)", draw.CircleGlyph{}, func(q results.Quantiles) float64 { return q.P50 }},
	{"p90", draw.TriangleGlyph{}, func(q results.Quantiles) float64 { return q.P90 }},
	{"p95", draw.SquareGlyph{}, func(q results.Quantiles) float64 { return q.P95 }},
	{"p99", draw.RingGlyph{}, func(q results.Quantiles) float64 { return q.P99 }},
	{"max", draw.CrossGlyph{}, func(q results.Quantiles) float64 { return q.Max }},
}

func quantileGlyph(shape draw.GlyphDrawer) draw.GlyphStyle {
	return draw.GlyphStyle{Color: colourInk, Radius: vg.Points(3), Shape: shape}
}

// latencyChart: the distribution of one task's time, submission to result
// (as the strategies record it), per strategy, from its recorded quantiles.
func latencyChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "latency.png",
		Title: "Task latency distribution",
		Caption: "Each row is one strategy's task latency, from the moment a task was submitted to its result: the " +
			"thick bar runs from the median to the 99th percentile, the thin line on to the slowest task, and the " +
			"marks show p50, p90, p95, p99 and max. A long thick bar means tasks waited their turn (behind each " +
			"other in serial, or for a free worker or core), and a short one can mean they were submitted one at " +
			"a time, as blocking apply does.",
	}
	legend := strategyLegend(strategiesOf(run))
	for _, g := range quantileGlyphs {
		legend = append(legend, legendItem{name: g.name, thumb: glyphThumb{quantileGlyph(g.shape)}})
	}
	f := figure{title: c.Title, legend: legend}
	rowsMax := 0
	for _, wl := range workloadsOf(run) {
		var rows latencyRows
		var labels []string
		for _, r := range chartRows(run, wl) {
			if r.TaskSeconds.Count == 0 {
				continue
			}
			rows.append(latencyRow{q: r.TaskSeconds, colour: strategyColour(r.Strategy)})
			labels = append(labels, label(run, r))
		}
		if len(rows.rows) == 0 {
			continue
		}
		var vals []float64
		for _, r := range rows.rows {
			vals = append(vals, r.q.P50, r.q.Max)
		}
		xl, scale := timeAxis("task latency")(vals)
		logAxis := wideSpan(vals)
		if logAxis {
			xl += ", log scale"
		}
		rows.scale = scale
		p := newPanel(wl, xl, "")
		grid := plotter.NewGrid()
		grid.Horizontal.Width = 0
		grid.Vertical.Color = colourGrid
		p.Add(grid, &rows)
		rev := make([]string, len(labels))
		for i, l := range labels {
			rev[len(labels)-1-i] = l
		}
		p.NominalY(rev...)
		if logAxis {
			useLogAxis(p, timeLabel)
		} else {
			p.X.Min = 0
		}
		f.panels = append(f.panels, p)
		rowsMax = max(rowsMax, len(rows.rows))
	}
	return f.render(c, rowsMax)
}

type latencyRow struct {
	q      results.Quantiles
	colour color.RGBA
}

// latencyRows is a plotter: one range per row, first row at the top.
type latencyRows struct {
	rows  []latencyRow
	scale float64
}

func (l *latencyRows) append(r latencyRow) { l.rows = append(l.rows, r) }

func (l *latencyRows) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(l.rows)
	ok := func(v float64) bool { return v > 0 || (v == 0 && p.X.Min <= 0) }
	for i, r := range l.rows {
		y := trY(rowPos(i, n))
		p50, p99, mx := r.q.P50*l.scale, r.q.P99*l.scale, r.q.Max*l.scale
		if ok(p99) && ok(mx) {
			c.StrokeLine2(draw.LineStyle{Color: r.colour, Width: vg.Points(1.5)}, trX(p99), y, trX(mx), y)
		}
		if ok(p50) && ok(p99) {
			c.StrokeLine2(draw.LineStyle{Color: r.colour, Width: vg.Points(9)}, trX(p50), y, trX(p99), y)
		}
		for _, g := range quantileGlyphs {
			if v := g.pick(r.q) * l.scale; ok(v) {
				c.DrawGlyph(quantileGlyph(g.shape), vg.Point{X: trX(v), Y: y})
			}
		}
	}
}

func (l *latencyRows) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, r := range l.rows {
		for _, v := range []float64{r.q.P50, r.q.Max} {
			if v > 0 {
				xmin, xmax = math.Min(xmin, v*l.scale), math.Max(xmax, v*l.scale)
			}
		}
	}
	return xmin, xmax, 0, math.Max(float64(len(l.rows)-1), 0)
}
