package report

import (
	"fmt"
	"html/template"
	"io"
	"math"

	"github.com/poolbench/poolbench/results"
)

// compareMetrics are the figures a comparison shows, one table each, as
// benchstat prints one table per unit.
var compareMetrics = []struct {
	title  string
	pick   func(Row) Delta
	geo    func(Geomean) float64
	format func(float64) string
}{
	{"wall time (median)", func(r Row) Delta { return r.Wall }, func(g Geomean) float64 { return g.Wall }, duration},
	{"CPU user+sys (median)", func(r Row) Delta { return r.CPU }, func(g Geomean) float64 { return g.CPU }, duration},
	{"", func(r Row) Delta { return r.Memory }, func(g Geomean) float64 { return g.Memory }, bytesIEC}, // titled by Comparison.Memory
}

const compareFootnote = "~ marks no significant difference: p > 0.05 in a two-sided Mann-Whitney U test " +
	"on the per-trial values, or too few trials for any difference to reach it."

// compareGrids lays the comparison out as one table per figure.
func compareGrids(cmp *Comparison) []grid {
	var out []grid
	for _, m := range compareMetrics {
		title := m.title
		if title == "" {
			title = cmp.Memory + " (median)"
		}
		g := grid{
			Title:   title,
			Headers: []string{"strategy on workload", "old", "new", "change", "p (trials)"},
			Numeric: []bool{false, true, true, true, false},
		}
		for _, r := range cmp.Rows {
			d := m.pick(r)
			name := r.Strategy + " on " + r.Workload
			if r.Workers > 0 {
				name = r.Strategy + " ×" + itoa(r.Workers) + " on " + r.Workload
			}
			g.Rows = append(g.Rows, []string{name, m.format(d.Old), m.format(d.New), changeCell(d), pCell(d)})
		}
		geo := m.geo(cmp.Geomean)
		cell := dash
		if !math.IsNaN(geo) {
			cell = signedPercent(geo)
		}
		g.Rows = append(g.Rows, []string{"geomean", "", "", cell, ""})
		out = append(out, g)
	}
	return out
}

func changeCell(d Delta) string {
	switch {
	case math.IsNaN(d.Change) && math.IsNaN(d.P):
		return dash // not compared (pCell says why)
	case !d.Significant || math.IsNaN(d.Change):
		return "~"
	}
	return signedPercent(d.Change)
}

func pCell(d Delta) string {
	// As benchstat counts: "n=5" when both runs had as many trials.
	n := fmt.Sprintf("n=%d", d.OldN)
	if d.OldN != d.NewN {
		n = fmt.Sprintf("n=%d+%d", d.OldN, d.NewN)
	}
	switch {
	case d.Significant:
		return fmt.Sprintf("p=%.3f %s", d.P, n)
	case d.Note != "":
		return d.Note // benchstat's wording, which names the counts
	}
	return n
}

// CompareTable writes a comparison for the terminal: one aligned table per
// figure, then what was in one run only.
func CompareTable(w io.Writer, cmp *Comparison) error {
	if cmp == nil {
		return fmt.Errorf("report: compare table: no comparison")
	}
	ew := &errWriter{w: w}
	ew.printf("old: %s\nnew: %s\n", runLine(cmp.Old), runLine(cmp.New))
	for _, g := range compareGrids(cmp) {
		ew.printf("\n%s\n", g.Title)
		writeAligned(ew, g)
	}
	ew.printf("\n%s\n", compareFootnote)
	writeList(ew, "only in the old run", cmp.OnlyOld)
	writeList(ew, "only in the new run", cmp.OnlyNew)
	writeList(ew, "take care", cmp.Cautions())
	if ew.err != nil {
		return fmt.Errorf("report: compare table: %w", ew.err)
	}
	return nil
}

// runLine identifies a run in one line: version, start, host.
func runLine(run *results.Run) string {
	when := dash
	if !run.StartedAt.IsZero() {
		when = run.StartedAt.UTC().Format("2006-01-02 15:04 MST")
	}
	return fmt.Sprintf("poolbench %s · %s · %s · %s", orDash(run.PoolbenchVersion), when,
		orDash(run.Host.CPUModel), plural(run.Host.CPUs, "CPU"))
}

type comparePage struct {
	CSS         template.CSS
	Old, New    compareSide
	Tables      []grid
	Footnote    string
	OnlyOld     []string
	OnlyNew     []string
	Cautions    []string
	Regressions []string
	WallOld     *htmlChart
	WallNew     *htmlChart
	Footer      string
}

type compareSide struct {
	Line   string
	Host   []kv
	Config []kv
}

// CompareHTML writes the comparison as one self-contained page: the two
// runs' machines and plans side by side, the tables, and each run's wall
// time chart next to the other's.
func CompareHTML(w io.Writer, cmp *Comparison) error {
	if cmp == nil {
		return fmt.Errorf("report: compare html: no comparison")
	}
	page := comparePage{
		CSS:      styleSheet(),
		Old:      compareSide{Line: runLine(cmp.Old), Host: hostFacts(cmp.Old.Host), Config: configFacts(cmp.Old.Config)},
		New:      compareSide{Line: runLine(cmp.New), Host: hostFacts(cmp.New.Host), Config: configFacts(cmp.New.Config)},
		Tables:   compareGrids(cmp),
		Footnote: compareFootnote,
		OnlyOld:  cmp.OnlyOld,
		OnlyNew:  cmp.OnlyNew,
		Cautions: cmp.Cautions(),
		Footer:   fmt.Sprintf("poolbench compare · %s against %s", orDash(cmp.New.PoolbenchVersion), orDash(cmp.Old.PoolbenchVersion)),
	}
	for _, r := range cmp.Regressions(0) {
		page.Regressions = append(page.Regressions, fmt.Sprintf("%s on %s: wall time %s (p=%.3f)",
			r.Strategy, r.Workload, signedPercent(r.Wall.Change), r.Wall.P))
	}
	for i, run := range []*results.Run{cmp.Old, cmp.New} {
		c, ok, err := wallChart(run)
		if err != nil {
			return fmt.Errorf("report: compare html: %w", err)
		}
		if !ok {
			continue
		}
		hc, err := embedChart(c)
		if err != nil {
			return err
		}
		if i == 0 {
			page.WallOld = &hc
		} else {
			page.WallNew = &hc
		}
	}
	return execute(w, "compare.html.tmpl", page)
}
