package report

import (
	"fmt"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/poolbench/poolbench/results"
)

// cpuChart: CPU use of the trial's process tree over time, one line per
// strategy, from the sampler's readings of its first measured trial.
func cpuChart(run *results.Run) (chart, bool, error) {
	c := chart{
		File:  "cpu.png",
		Title: "CPU use over time (first measured trial)",
		Caption: "Each line is the CPU the whole process tree used while one trial ran, in percent of one core, " +
			"so a line at the dashed all-cores mark keeps every core busy. Where trials lasted very different times, " +
			"time is shown as a share of each trial's own wall time, so that the shapes can be compared.",
	}
	var names, missed []string
	f := figure{title: c.Title}
	for _, wl := range workloadsOf(run) {
		var series []*results.Result
		var missedHere []string
		shortest, longest := 0.0, 0.0
		all := chartRows(run, wl)
		for _, r := range all {
			if len(r.Trials) == 0 || len(r.Trials[0].Samples) < 2 {
				continue
			}
			if !drawableCPU(&r.Trials[0]) {
				missedHere = append(missedHere, r.Strategy)
				continue
			}
			s := r.Trials[0].Samples
			d := s[len(s)-1].Seconds
			if d <= 0 {
				continue
			}
			if len(series) == 0 || d < shortest {
				shortest = d
			}
			longest = max(longest, d)
			series = append(series, r)
		}
		switch {
		case len(missedHere) == len(all):
			missed = append(missed, wl+": every strategy")
		case len(missedHere) > 0:
			missed = append(missed, wl+": "+strings.Join(missedHere, ", "))
		}
		if len(series) == 0 {
			continue
		}
		relative := longest > 10*shortest
		xl := "time since the trial started (s)"
		if relative {
			xl = "time into the trial (% of its wall time)"
		}
		p := newPanel(wl, xl, "CPU (% of one core)")
		grid := plotter.NewGrid()
		grid.Vertical.Color, grid.Horizontal.Color = colourGrid, colourGrid
		p.Add(grid)
		xmax := 0.0
		for _, r := range series {
			s := r.Trials[0].Samples
			end := s[len(s)-1].Seconds
			pts := make(plotter.XYs, len(s))
			for i, smp := range s {
				x := smp.Seconds
				if relative {
					x = 100 * smp.Seconds / end
				}
				pts[i] = plotter.XY{X: x, Y: smp.CPUPercent}
				xmax = max(xmax, x)
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return c, false, fmt.Errorf("%s on %s: %w", r.Strategy, wl, err)
			}
			l.LineStyle = draw.LineStyle{Color: strategyColour(r.Strategy), Width: vg.Points(1.6)}
			p.Add(l)
			if !contains(names, r.Strategy) {
				names = append(names, r.Strategy)
			}
		}
		if cpus := run.Host.CPUs; cpus > 0 {
			all, err := plotter.NewLine(plotter.XYs{{X: 0, Y: float64(cpus) * 100}, {X: xmax, Y: float64(cpus) * 100}})
			if err != nil {
				return c, false, err
			}
			all.LineStyle = idealStyle
			p.Add(all)
		}
		p.X.Min, p.Y.Min = 0, 0
		f.panels = append(f.panels, p)
	}
	if len(f.panels) == 0 {
		return c, false, nil
	}
	if len(missed) > 0 {
		c.Caption += " Left out, as shorter than ten of the kernel's 10 ms CPU ticks or with samples that saw " +
			"under half the CPU the trial used (see the summary for that): " + strings.Join(missed, "; ") + "."
	}
	f.legend = strategyLegend(names)
	if run.Host.CPUs > 0 {
		f.legend = append(f.legend, legendItem{name: fmt.Sprintf("all %s", plural(run.Host.CPUs, "core")), thumb: lineThumb{idealStyle}})
	}
	f.panelHeight = 2.6 * vg.Inch
	png, err := f.png()
	c.PNG = png
	return c, err == nil, err
}

// clockTick is the unit the kernel counts CPU time in (USER_HZ = 100).
const clockTick = 0.010

// drawableCPU reports whether a trial's CPU can be drawn over time: it
// lasted ten clock ticks or more, so that a line has more than a few steps
// of 0% or 100%, and its samples saw the CPU it used.
func drawableCPU(t *results.Trial) bool {
	return t.WallSeconds >= 10*clockTick && samplesSawCPU(t)
}

// samplesSawCPU reports whether a trial's samples account for the CPU its
// rusage says it used, within half or a clock tick. The sampler reads CPU
// in windows; a trial that ends inside its first window, or CPU used by the
// trial process after the last reading, never shows in the samples, and a
// line drawn at 0% for a trial that kept a core busy would be a figure
// invented by omission.
func samplesSawCPU(t *results.Trial) bool {
	seen := 0.0
	for i := 1; i < len(t.Samples); i++ {
		dt := t.Samples[i].Seconds - t.Samples[i-1].Seconds
		seen += t.Samples[i].CPUPercent / 100 * max(dt, 0)
	}
	used := t.CPUUserSeconds + t.CPUSystemSeconds
	return used-seen <= max(used/2, clockTick)
}
