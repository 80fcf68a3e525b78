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
			"the lower one counts, side by side, the damage in the file: torn records (cut or interleaved with another write), " +
			"records lost (never found whole; a torn record is usually also a lost one) and records written twice. " +
			"An empty row in the lower panel is a file with every record intact.",
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

	// The damage counts sit side by side, not stacked: a torn record is
	// usually also a lost one (its marker fails and the record is never
	// found whole), so a stack would count it twice and overstate the
	// damage against the expected count.
	dmg := newPanel("damage", "records (out of the expected count per mode)", "")
	grid := plotter.NewGrid()
	grid.Horizontal.Width = 0
	grid.Vertical.Color = colourGrid
	dmg.Add(grid)
	labels := make([]string, n)
	parts := []struct {
		name string
		pick func(results.LogMode) int
	}{
		{"torn", func(m results.LogMode) int { return m.RecordsTorn }},
		{"lost", func(m results.LogMode) int { return m.RecordsLost }},
		{"duplicated", func(m results.LogMode) int { return m.RecordsDuplicated }},
	}
	barWidth := vg.Points(6)
	var legend []legendItem
	for k, part := range parts {
		col := damageColours[k]
		legend = append(legend, legendItem{name: part.name, thumb: swatch{col}})
		for i, m := range modes {
			v := part.pick(m)
			if v == 0 {
				continue // no bar at all: an outlined zero-width bar reads as a little damage
			}
			b, err := plotter.NewBarChart(plotter.Values{float64(v)}, barWidth)
			if err != nil {
				return c, false, err
			}
			b.Horizontal = true
			b.XMin = rowPos(i, n)
			b.Offset = vg.Length(1-k) * barWidth // top to bottom in the legend's order
			b.Color = col
			b.LineStyle = draw.LineStyle{Color: outline(col), Width: vg.Points(0.5)}
			dmg.Add(b)
		}
	}
	for i, m := range modes {
		labels[n-1-i] = m.Mode
	}
	dmg.NominalY(labels...)
	dmg.X.Min = 0
	// Rows without damage have no bar; keep every row on the axis.
	dmg.Y.Min, dmg.Y.Max = -0.5, float64(n)-0.5
	// The axis runs to the expected count, so a bar reads as a share of the
	// records; an all-intact run still gets an axis.
	for _, m := range modes {
		dmg.X.Max = max(dmg.X.Max, float64(m.RecordsExpected))
	}
	dmg.X.Max = max(dmg.X.Max, 1)
	f := figure{title: c.Title, panels: []*plot.Plot{thr, dmg}, legend: legend, panelHeight: panelHeight(n)}
	png, err := f.png()
	c.PNG = png
	return c, err == nil, err
}

var damageColours = []color.RGBA{colourTorn, colourLost, colourDuplicated}
