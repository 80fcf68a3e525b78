package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// idealDashes styles the dashed ideal lines of one panel, given each
// line's points and colour. Strategies often share an ideal (every pool of
// one size on io; a process per task and goroutines on cpu), and lines
// drawn one over another would show only the last one's colour, as if the
// others had none. The lines of a group that coincide take turns instead:
// each draws every k-th dash of idealStyle's pattern, so that all k
// colours show along the one line.
func idealDashes(lines []plotter.XYs, colours []color.Color) []draw.LineStyle {
	dash, gap := idealStyle.Dashes[0], idealStyle.Dashes[1]
	styles := make([]draw.LineStyle, len(lines))
	group := make([]int, len(lines)) // index of the first line each coincides with
	size := map[int]int{}
	for i := range lines {
		group[i] = i
		for j := range i {
			if group[j] == j && sameLine(lines[i], lines[j]) {
				group[i] = j
				break
			}
		}
		size[group[i]]++
	}
	turn := map[int]int{}
	for i := range lines {
		s := idealStyle
		s.Color = colours[i]
		if k := size[group[i]]; k > 1 {
			// One dash, then the gaps and dashes of the k-1 others.
			s.Dashes = []vg.Length{dash, gap + vg.Length(k-1)*(dash+gap)}
			s.DashOffs = vg.Length(turn[group[i]]) * (dash + gap)
			turn[group[i]]++
		}
		styles[i] = s
	}
	return styles
}

// addIdeals draws a panel's ideal lines, each in its colour, dashed as
// idealDashes styles them, and reports whether it drew any.
func addIdeals(p *plot.Plot, ideals []plotter.XYs, colours []color.Color) (bool, error) {
	for i, style := range idealDashes(ideals, colours) {
		l, err := plotter.NewLine(ideals[i])
		if err != nil {
			return false, err
		}
		l.LineStyle = style
		p.Add(l)
	}
	return len(ideals) > 0, nil
}

// sameLine reports whether two lines pass through the same points, to a
// part in a million of each figure: closer than a chart can show apart.
func sameLine(a, b plotter.XYs) bool {
	if len(a) != len(b) {
		return false
	}
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-6*math.Max(math.Abs(x), math.Abs(y)) }
	for i := range a {
		if !near(a[i].X, b[i].X) || !near(a[i].Y, b[i].Y) {
			return false
		}
	}
	return true
}
