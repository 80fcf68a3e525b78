package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// niceTicks marks a linear axis at steps of 1, 2 or 5 times a power of ten,
// about five labelled ticks, labelled with only the decimals the step
// needs: gonum's default prints 25000.00 where 25000 says it all.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: trimFloat(lo)}}
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	start := math.Ceil(lo/step-1e-9) * step
	for v := start; v <= hi+step*1e-9; v += step {
		v = math.Round(v/step) * step
		if v == 0 {
			v = 0 // not -0, which prints as "-0"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if half := v + step/2; half < hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	if first := start - step/2; first > lo {
		ticks = append(ticks, plot.Tick{Value: first})
	}
	return ticks
}

// logTicks marks a log axis at every power of ten, with unlabelled minor
// ticks between, and labels computed from the exponent rather than by
// repeated multiplication, which prints 9.999999999999999e-06.
type logTicks struct {
	label func(float64) string
}

func (t logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= 0 {
		return nil
	}
	var ticks []plot.Tick
	for k := int(math.Floor(math.Log10(lo))); k <= int(math.Ceil(math.Log10(hi))); k++ {
		base := math.Pow10(k)
		ticks = append(ticks, plot.Tick{Value: base, Label: t.label(base)})
		for i := 2; i < 10; i++ {
			ticks = append(ticks, plot.Tick{Value: float64(i) * base})
		}
	}
	return ticks
}

// trimFloat formats v with no trailing zeros and no float noise.
func trimFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// plainLabel labels a unitless log tick: 0.001, 1, 100.
func plainLabel(v float64) string {
	if v >= 1e6 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// timeLabel labels a log tick in seconds with the unit that suits it: 10 µs.
func timeLabel(v float64) string {
	u, s := timeUnit(v)
	x := strconv.FormatFloat(v*s, 'g', 6, 64)
	return x + " " + u
}

// useLogAxis turns the x axis of p logarithmic, labelled by label.
func useLogAxis(p *plot.Plot, label func(float64) string) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{label: label}
}
