package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// catRow is one category of a horizontal chart: a strategy's value, and the
// range around it when the data has one.
type catRow struct {
	label    string
	colour   color.RGBA
	value    float64
	lo, hi   float64
	hasRange bool
}

// logSpan is the ratio of largest to smallest value above which a panel
// switches to a log axis: past it, bars for the small values are invisible.
const logSpan = 50

// rowPos places row i of n on the category axis, first row at the top.
func rowPos(i, n int) float64 { return float64(n - 1 - i) }

// panelHeight fits rows categories in a panel.
func panelHeight(rows int) vg.Length {
	return max(1.7*vg.Inch, vg.Length(rows)*0.27*vg.Inch+0.95*vg.Inch)
}

// wideSpan reports whether positive values span more than logSpan.
func wideSpan(vals []float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, v := range vals {
		if v > 0 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return hi > 0 && hi/lo > logSpan
}

// hbarPanel draws rows top to bottom: bars from zero when the values are of
// one magnitude, dots on a log axis when they span more than logSpan, with
// whiskers for the rows that have a range. It returns whether the axis is
// logarithmic, so that the caller can say so.
func hbarPanel(title, xLabel string, rows []catRow, logLabel func(float64) string) (*plot.Plot, bool, error) {
	vals := make([]float64, len(rows))
	for i, r := range rows {
		vals[i] = r.value
	}
	logAxis := wideSpan(vals)
	if logAxis {
		xLabel += ", log scale"
	}
	p := newPanel(title, xLabel, "")
	grid := plotter.NewGrid()
	grid.Horizontal.Width = 0
	grid.Vertical.Color = colourGrid
	p.Add(grid)
	n := len(rows)
	labels := make([]string, n)
	barWidth := vg.Points(13)
	for i, r := range rows {
		pos := rowPos(i, n)
		labels[n-1-i] = r.label
		if logAxis && r.value <= 0 {
			continue // no point on a log axis; the label stays, the gap says it
		}
		if logAxis {
			s, err := plotter.NewScatter(plotter.XYs{{X: r.value, Y: pos}})
			if err != nil {
				return nil, false, err
			}
			s.GlyphStyle = draw.GlyphStyle{Color: r.colour, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
			p.Add(s)
		} else {
			b, err := plotter.NewBarChart(plotter.Values{r.value}, barWidth)
			if err != nil {
				return nil, false, err
			}
			b.Horizontal = true
			b.XMin = pos
			b.Color = r.colour
			b.LineStyle = draw.LineStyle{Color: outline(r.colour), Width: vg.Points(0.6)}
			p.Add(b)
		}
		if r.hasRange && (!logAxis || r.lo > 0) {
			e, err := plotter.NewXErrorBars(rangePoint{
				XYs:     plotter.XYs{{X: r.value, Y: pos}},
				XErrors: plotter.XErrors{{Low: r.value - r.lo, High: r.hi - r.value}},
			})
			if err != nil {
				return nil, false, err
			}
			e.LineStyle = draw.LineStyle{Color: colourInk, Width: vg.Points(1)}
			e.CapWidth = vg.Points(6)
			p.Add(e)
		}
	}
	p.NominalY(labels...)
	if logAxis {
		useLogAxis(p, logLabel)
	} else {
		p.X.Min = 0
	}
	return p, logAxis, nil
}

// rangePoint is one value with its whiskers, for plotter.NewXErrorBars.
type rangePoint struct {
	plotter.XYs
	plotter.XErrors
}
