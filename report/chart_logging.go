package report

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/poolbench/poolbench/results"
)

// loggingChart: the shared-log experiment, throughput and damage per mode.
func loggingChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "logging.png",
		Title: "Shared log file: throughput and damage per mode",
		Caption: "The upper panel is how many records per second each mode appended to the one shared file; " +
			"the lower one counts the records that did not survive whole: torn (interleaved with another write), " +
			"lost, or written twice. An empty row in the lower panel is a file with every record intact.",
	}
	if len(run.Logging) == 0 {
		return c, false, nil
	}
	modes := run.Logging
	n := len(modes)
	rows := make([]catRow, n)
	for i, m := range modes {
		rows[i] = catRow{label: m.Mode, colour: colourNeutral, value: m.RecordsPerSecond}
	}
	thr, _, err := hbarPanel("throughput", "records appended per second", rows, plainLabel)
	if err != nil {
		return c, false, err
	}

	dmg := newPanel("damage", "records (out of the expected count per mode)", "")
	grid := plotter.NewGrid()
	grid.Horizontal.Width = 0
	grid.Vertical.Color = colourGrid
	dmg.Add(grid)
	labels := make([]string, n)
	var below []*plotter.BarChart
	parts := []struct {
		name string
		pick func(results.LogMode) int
	}{
		{"torn", func(m results.LogMode) int { return m.RecordsTorn }},
		{"lost", func(m results.LogMode) int { return m.RecordsLost }},
		{"duplicated", func(m results.LogMode) int { return m.RecordsDuplicated }},
	}
	var legend []legendItem
	for k, part := range parts {
		vals := make(plotter.Values, n)
		for i, m := range modes {
			vals[n-1-i] = float64(part.pick(m))
		}
		b, err := plotter.NewBarChart(vals, vg.Points(13))
		if err != nil {
			return c, false, err
		}
		col := damageColours[k]
		b.Horizontal = true
		b.Color = col
		b.LineStyle = draw.LineStyle{Color: outline(col), Width: vg.Points(0.5)}
		if len(below) > 0 {
			b.StackOn(below[len(below)-1])
		}
		below = append(below, b)
		dmg.Add(b)
		legend = append(legend, legendItem{name: part.name, thumb: swatch{col}})
	}
	for i, m := range modes {
		labels[n-1-i] = m.Mode
	}
	dmg.NominalY(labels...)
	dmg.X.Min = 0
	if dmg.X.Max < 1 {
		dmg.X.Max = 1 // an all-intact run still gets an axis
	}
	f := figure{title: c.Title, panels: []*plot.Plot{thr, dmg}, legend: legend, panelHeight: panelHeight(n)}
	png, err := f.png()
	c.PNG = png
	return c, err == nil, err
}

var damageColours = []color.RGBA{colourTorn, colourLost, colourDuplicated}
