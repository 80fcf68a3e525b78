package report

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// speedupChart: speedup over serial per strategy, with each one's ideal.
func speedupChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "speedup.png",
		Title: "Speedup over serial",
		Caption: "Each bar (a dot, where the axis is logarithmic) is how many times faster than serial a strategy ran (its median wall time against " +
			"serial's, or py-serial's for CPython's py-* strategies); the dashed mark is its ideal: the CPUs it can use for cpu work (less where its longest task, or its tasks in turn on each worker, take longer than the work spread over them), the tasks it runs at once for io work. " +
			"A bar that stops well short of its mark is paying overhead; one below 1 is slower than doing the work in turn.",
	}
	f := figure{title: c.Title, legend: append(strategyLegend(strategiesOf(run)),
		legendItem{name: "ideal", thumb: lineThumb{idealStyle}})}
	rowsMax := 0
	for _, wl := range workloadsOf(run) {
		rs := chartRows(run, wl)
		var rows []catRow
		var ideals []float64
		for _, r := range rs {
			if r.SpeedupVsSerial == nil {
				continue
			}
			rows = append(rows, catRow{label: label(run, r), colour: strategyColour(r.Strategy), value: *r.SpeedupVsSerial})
			ideal, ok := stats.IdealSpeedup(r)
			if !ok {
				ideal = math.NaN()
			}
			ideals = append(ideals, ideal)
		}
		if len(rows) == 0 {
			continue
		}
		p, _, err := hbarPanel(wl, "speedup over serial (×)", rows, plainLabel)
		if err != nil {
			return c, false, err
		}
		p.Add(idealMarks{ideals: ideals})
		f.panels = append(f.panels, p)
		rowsMax = max(rowsMax, len(rows))
	}
	return f.render(c, rowsMax)
}

// idealMarks draws, across each row of a horizontal chart, a dashed tick at
// that row's ideal value; NaN means the row has none.
type idealMarks struct{ ideals []float64 }

func (m idealMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(m.ideals)
	for i, v := range m.ideals {
		if math.IsNaN(v) || v < p.X.Min || v > p.X.Max {
			continue
		}
		x := trX(v)
		y := trY(rowPos(i, n))
		c.StrokeLine2(idealStyle, x, y-vg.Points(10), x, y+vg.Points(10))
	}
}

// DataRange widens the axis so that every ideal shows.
func (m idealMarks) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, v := range m.ideals {
		if !math.IsNaN(v) {
			xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
		}
	}
	return xmin, xmax, 0, math.Max(float64(len(m.ideals)-1), 0)
}
