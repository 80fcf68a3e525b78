package stats

import (
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
)

// Change is one figure measured in two runs, as benchstat compares it:
// medians, the Mann-Whitney U-test on every repeat, and the verdict.
type Change struct {
	Old, New   float64 // medians over the trials
	OldN, NewN int     // trials behind each
	// Ratio is New/Old - 1: +0.10 is 10% more. NaN when Old is 0.
	Ratio float64
	// P is the U-test's p-value; NaN when a side has no trials.
	P float64
	// Significant is P <= Alpha (benchstat's 0.05).
	Significant bool
	// Delta is what benchstat prints for the change: "+12.34%", or "~"
	// when it is not significant.
	Delta string
	// Note explains a "~": "p=0.400 n=3", or why there is no test at all.
	Note string
	// TooFew is set when the samples are too small for any difference to
	// reach significance (or a side has none): a "~" that says nothing.
	TooFew bool
}

// Alpha is the significance level of Compare, benchstat's default.
var Alpha = benchmath.DefaultThresholds.CompareAlpha

// Compare tests the difference between two samples of one figure with the
// statistics benchstat uses, so that both tools print the same verdict,
// digit for digit, for the same samples.
func Compare(old, new []float64) Change {
	c := Change{Old: Median(old), New: Median(new), OldN: len(old), NewN: len(new), Ratio: math.NaN(), P: math.NaN()}
	if c.Old != 0 {
		c.Ratio = c.New/c.Old - 1
	}
	if len(old) == 0 || len(new) == 0 {
		c.Delta, c.Note, c.TooFew = "?", "no trials on one side", true
		return c
	}
	// NewSample sorts its values in place: give it copies.
	so := benchmath.NewSample(slices.Clone(old), &benchmath.DefaultThresholds)
	sn := benchmath.NewSample(slices.Clone(new), &benchmath.DefaultThresholds)
	cmp := benchmath.AssumeNothing.Compare(so, sn)
	c.P = cmp.P
	c.Significant = cmp.P <= cmp.Alpha
	c.Delta = cmp.FormatDelta(benchmath.AssumeNothing.Summary(so, Confidence).Center,
		benchmath.AssumeNothing.Summary(sn, Confidence).Center)
	c.TooFew = minP(len(old), len(new)) > Alpha
	if !c.Significant {
		c.Note = cmp.String()
		for _, w := range cmp.Warnings {
			// "need >= 4 samples to detect a difference at alpha level
			// 0.05": the first half is what a reader can act on.
			short, _, _ := strings.Cut(w.Error(), " to detect")
			c.Note += " (" + short + ")"
		}
	}
	return c
}

// minP is the smallest two-sided p-value the exact U-test can give for
// samples of n1 and n2 values (every value of one below every value of the
// other): 2 / C(n1+n2, n1). benchmath warns only when both samples are
// short; this also catches 4 trials against 2, which can never reach 0.05.
func minP(n1, n2 int) float64 {
	c := 1.0 // C(n1+n2, n1), built up as a product
	for i := 1; i <= n1; i++ {
		c = c * float64(n2+i) / float64(i)
	}
	return math.Min(1, 2/c)
}
