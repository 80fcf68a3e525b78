package claims

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// who names a result in a verdict: "pool-apply-async on io".
func who(r *results.Result) string { return r.Strategy + " on " + r.Workload }

// refusal says why r's figures cannot judge a claim about speed or cost, or
// "" when they can: a failed task takes no time doing the work, so a result
// with failures is faster than the work; one with other results than serial
// did other work.
func refusal(r *results.Result) string {
	failed, total := taskFailures(r)
	switch {
	case stats.AllFailed(r):
		return fmt.Sprintf("every task failed (%s: %d of %d)", who(r), failed, total)
	case failed > 0:
		return fmt.Sprintf("%s had %d of %d tasks fail, and a failed task's time is not the work's", who(r), failed, total)
	case checksumDiffers(r):
		return fmt.Sprintf("%s computed other results than serial (checksum %s)", who(r), r.Checksum)
	}
	return ""
}

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

// allFailed says so when every task of r failed, or "": a claim that does
// not rest on times (where callbacks ran) can still use a result with
// some failures.
func allFailed(r *results.Result) string {
	if stats.AllFailed(r) {
		failed, total := taskFailures(r)
		return fmt.Sprintf("every task failed (%s: %d of %d)", who(r), failed, total)
	}
	return ""
}

// ownRefusal is the refusal of the first of rs that has one.
func ownRefusal(rs ...*results.Result) string {
	for _, r := range rs {
		if r == nil {
			continue
		}
		if why := refusal(r); why != "" {
			return why
		}
	}
	return ""
}

// firstRefusal is the first reason one of rs cannot judge a speed claim:
// its own figures (refusal), or a baseline other work slowed
// (slowedBaseline).
func firstRefusal(run *results.Run, rs ...*results.Result) string {
	if why := ownRefusal(rs...); why != "" {
		return why
	}
	for _, r := range rs {
		if r == nil {
			continue
		}
		if why := slowedBaseline(run, r); why != "" {
			return why
		}
	}
	return ""
}

// caveats lists the noisy results among rs, for the verdict to carry.
// Their verdict stands: the caveat says how far to trust it.
func caveats(rs ...*results.Result) []string {
	var out []string
	for _, r := range rs {
		if r == nil {
			continue
		}
		if why := noisy(r); why != "" {
			out = append(out, who(r)+": "+why)
		}
	}
	return out
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

// baselineOf names the strategy r's speedup is against.
func baselineOf(r *results.Result) string {
	if r.Baseline != "" {
		return r.Baseline
	}
	return "serial"
}

// judgement is one verdict before it goes into a claim: a kind, a sentence
// and the caveats the figures it rests on carry.
type judgement struct {
	kind    results.VerdictKind
	text    string
	caveats []string
}

func judge(kind results.VerdictKind, format string, args ...any) judgement {
	return judgement{kind: kind, text: fmt.Sprintf(format, args...)}
}

func notMeasured(format string, args ...any) judgement {
	return judgement{kind: results.NotMeasured, text: "not measured: " + fmt.Sprintf(format, args...)}
}

// with adds caveats to a judgement that was judged; a refusal needs none.
func (j judgement) with(cs []string) judgement {
	if j.kind != results.NotMeasured {
		j.caveats = append(j.caveats, cs...)
	}
	return j
}

// set writes j into c.
func (j judgement) set(c *results.Claim) {
	c.Kind, c.Verdict, c.Caveats = j.kind, j.text, j.caveats
}

// labelled is the judgement of one part of a claim: one pool size, one
// workload.
type labelled struct {
	label string
	judgement
}

// combine joins the judgements of a claim's parts into one. The kind is the
// judged parts' kind when they agree and partly when they do not; a part
// that could not be judged makes no part of the kind, and the verdict says
// so. When every part came out the same, that is the verdict.
func combine(parts []labelled) judgement {
	if len(parts) == 0 {
		return notMeasured("nothing to compare")
	}
	same := true
	for _, p := range parts {
		same = same && p.kind == parts[0].kind && p.text == parts[0].text
	}
	if same {
		j := parts[0].judgement
		for _, p := range parts[1:] {
			j.caveats = append(j.caveats, p.caveats...)
		}
		return j
	}
	var kind results.VerdictKind = results.NotMeasured
	var cs []string
	for _, p := range parts {
		cs = append(cs, p.caveats...)
		switch {
		case p.kind == results.NotMeasured:
		case kind == results.NotMeasured:
			kind = p.kind
		case kind != p.kind:
			kind = results.Partly
		}
	}
	// A part of the verdict's own kind need not say it again, and parts
	// that give the same reason in different detail ("every task failed
	// (...)") give it once.
	lead := kindPhrase(kind)
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = strings.TrimPrefix(p.text, lead+": ")
	}
	head, tails := commonHead(texts)
	details := make([]string, len(parts))
	for i, p := range parts {
		details[i] = p.label + ": " + tails[i]
	}
	if head != "" {
		return judgement{kind: kind, text: lead + ": " + head + " (" + strings.Join(details, "; ") + ")", caveats: cs}
	}
	return judgement{kind: kind, text: lead + " (" + strings.Join(details, "; ") + ")", caveats: cs}
}

// commonHead splits texts of the form "head (detail)" that share their head
// into the head and the details; otherwise it returns "" and the texts.
func commonHead(texts []string) (string, []string) {
	head := ""
	tails := make([]string, len(texts))
	for i, t := range texts {
		open := strings.Index(t, " (")
		if open < 0 || !strings.HasSuffix(t, ")") || (i > 0 && t[:open] != head) {
			return "", texts
		}
		head, tails[i] = t[:open], t[open+2:len(t)-1]
	}
	return head, tails
}

// kindPhrase says a verdict kind in words.
func kindPhrase(k results.VerdictKind) string {
	switch k {
	case results.Holds:
		return "holds"
	case results.DoesNotHold:
		return "does not hold"
	case results.Partly:
		return "holds in part"
	}
	return "not measured"
}

// poolLabel is "a pool of 4".
func poolLabel(n int) string { return "a pool of " + strconv.Itoa(n) }
