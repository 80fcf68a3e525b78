package stats

import (
	"math"
	"slices"

	"github.com/poolbench/poolbench/results"
	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat"
)

// Confidence is the level of every confidence interval poolbench reports.
const Confidence = 0.95

// Summarize describes a figure over repeats: median (the headline), mean,
// range, standard deviation, and the median's 95% confidence interval where
// there are enough samples for one (six; otherwise the interval is left
// unset).
func Summarize(xs []float64) results.Summary {
	if len(xs) == 0 {
		return results.Summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := results.Summary{
		Median: Median(s),
		Mean:   stat.Mean(s, nil),
		Min:    s[0],
		Max:    s[len(s)-1],
		N:      len(s),
	}
	if len(s) > 1 {
		sum.Stddev = stat.StdDev(s, nil)
	}
	ci := benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(s), &benchmath.DefaultThresholds), Confidence)
	if !math.IsInf(ci.Lo, 0) && !math.IsInf(ci.Hi, 0) {
		sum.CILow, sum.CIHigh = &ci.Lo, &ci.Hi
	}
	return sum
}

// Median of xs: the middle value, or the mean of the two middle values.
// xs need not be sorted.
func Median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	s := xs
	if !slices.IsSorted(xs) {
		s = slices.Clone(xs)
		slices.Sort(s)
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Quantile is the q-quantile of sorted xs by linear interpolation between
// order statistics.
func Quantile(q float64, sorted []float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return stat.Quantile(q, stat.LinInterp, sorted, nil)
}
