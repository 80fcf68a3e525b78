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
