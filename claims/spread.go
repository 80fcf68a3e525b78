package claims

import (
	"fmt"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// slowedBaseline says so when r ran faster than its ideal while other work
// ran on the machine: nothing beats its ideal, so its baseline was slowed
// and its speedup is inflated. On a quiet machine the same figure means
// the ideal's premise failed (GOMAXPROCS=1 or a blocking Apply ran tasks
// at once), which is what the claim is about: it is judged.
func slowedBaseline(run *results.Run, r *results.Result) string {
	if efficiencyOf(r) <= MaxEfficiency {
		return ""
	}
	if base := find(run, baselineOf(r), r.Workload); !busy(r) && (base == nil || !busy(base)) {
		return ""
	}
	return fmt.Sprintf("%s ran at %s of its ideal while other work ran on the machine: its baseline was slowed", who(r), pct(efficiencyOf(r)))
}

// straddles says when r's speedup over serial, taken over the widest pair
// of their trials (serial's fastest over r's slowest, serial's slowest over
// r's fastest), lies on both sides of the threshold a verdict turns on: the
// median's side of it is then a matter of which trials ran. "" otherwise.
//
// With the medians' 95% confidence intervals stored (six repeats or more),
// it uses those instead of the extreme trials.
func straddles(run *results.Run, r *results.Result, threshold float64) string {
	if r == nil {
		return ""
	}
	base := find(run, baselineOf(r), r.Workload)
	if base == nil || r.WallSeconds.N < 2 || r.WallSeconds.Min <= 0 {
		return ""
	}
	b, w := base.WallSeconds, r.WallSeconds
	lo, hi, what := b.Min/w.Max, b.Max/w.Min, "its trials and serial's give"
	if b.CILow != nil && b.CIHigh != nil && w.CILow != nil && w.CIHigh != nil && *w.CILow > 0 {
		lo, hi, what = *b.CILow / *w.CIHigh, *b.CIHigh / *w.CILow, "the 95% intervals of its median and serial's give"
	}
	if lo < threshold && threshold <= hi {
		return fmt.Sprintf("%s: %s %s to %s, either side of the %s the verdict turns on", who(r), what, x(lo), x(hi), x(threshold))
	}
	return ""
}

// weigh adds to a speed verdict what the spread of its figures says about
// it. The results are base (serial) and rs, whose speedups over base were
// set against threshold. A verdict whose figures are noisy and whose
// trials fall on both sides of the threshold cannot say which side the
// claim is on: it is not measured. Noise or a straddle alone is a caveat.
func weigh(run *results.Run, j judgement, threshold float64, base *results.Result, rs ...*results.Result) judgement {
	if j.kind == results.NotMeasured {
		return j
	}
	var across []string
	for _, r := range rs {
		if r == nil {
			continue
		}
		if s := straddles(run, r, threshold); s != "" {
			across = append(across, s)
		}
	}
	noise := caveats(append([]*results.Result{base}, rs...)...)
	if len(noise) > 0 && len(across) > 0 {
		return notMeasured("too noisy to tell (%s; %s)", strings.Join(noise, "; "), strings.Join(across, "; "))
	}
	return j.with(append(noise, across...))
}
