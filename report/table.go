package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/poolbench/poolbench/results"
)

// Table writes the terminal summary: per workload, one aligned table of what
// each strategy took and cost, then the warnings, the logging experiment and
// the claims when the run has them.
func Table(w io.Writer, run *results.Run) error {
	if run == nil {
		return errNilRun
	}
	ew := &errWriter{w: w}
	ew.printf("poolbench %s · %s · %s/%s · %s · %s\n", orDash(run.PoolbenchVersion), orDash(run.Host.CPUModel),
		run.Host.OS, run.Host.Arch, plural(run.Host.CPUs, "CPU"), run.Host.GoVersion)
	for _, g := range summaryGrids(run) {
		ew.printf("\n%s\n", g.Title)
		writeAligned(ew, g)
	}
	if g, ok := loggingGrid(run); ok {
		ew.printf("\n%s\n", g.Title)
		writeAligned(ew, g)
	}
	if len(run.Claims) > 0 {
		// Figures run to hundreds of columns: the terminal gets the
		// verdicts, the page and `poolbench claims` the figures.
		ew.printf("\nthe article's claims, on this machine (figures: report.html, or poolbench claims --from results.json)\n")
		for _, c := range run.Claims {
			caveat := ""
			if len(c.Caveats) > 0 {
				caveat = " (with caveats)"
			}
			ew.printf("  %d. %s: %s%s\n", c.ID, c.Statement, c.Verdict, caveat)
		}
	}
	writeList(ew, "warnings", warnings(run))
	notes := append([]string(nil), run.Notes...)
	if v := checksumVerdict(run); v != "" {
		notes = append(notes, v)
	}
	notes = append(notes, kneeNotes(run)...)
	notes = append(notes, pythonNotes(run)...)
	writeList(ew, "notes", notes)
	if ew.err != nil {
		return fmt.Errorf("report: table: %w", ew.err)
	}
	return nil
}

func writeList(ew *errWriter, title string, items []string) {
	if len(items) == 0 {
		return
	}
	ew.printf("\n%s:\n", title)
	for _, s := range items {
		ew.printf("  - %s\n", s)
	}
}

// writeAligned pads every column to its widest cell, figures to the right
// and words to the left, with a rule under the header. It counts runes, not
// bytes, so that ±, … and µ do not push columns out of line.
func writeAligned(ew *errWriter, g grid) {
	widths := make([]int, len(g.Headers))
	for i, h := range g.Headers {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, row := range g.Rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if g.Numeric[i] {
				b.WriteString(pad + c)
			} else if i == len(cells)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(c + pad)
			}
		}
		ew.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
	line(g.Headers)
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("─", n)
	}
	line(rule)
	for _, row := range g.Rows {
		line(row)
	}
}

func orDash(s string) string {
	if s == "" {
		return dash
	}
	return s
}

// errWriter keeps the first write error, so that a writer can format many
// lines and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
