package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// Markdown writes the summary as GitHub-flavoured tables, to paste into a
// pull request or an issue.
func Markdown(w io.Writer, run *results.Run) error {
	if run == nil {
		return errNilRun
	}
	ew := &errWriter{w: w}
	ew.printf("## poolbench %s\n\n", mdEscape(orDash(run.PoolbenchVersion)))
	ew.printf("%s · %s/%s · %s · %s\n", mdEscape(orDash(run.Host.CPUModel)), run.Host.OS, run.Host.Arch,
		plural(run.Host.CPUs, "CPU"), run.Host.GoVersion)
	if run.Partial {
		ew.printf("\n> **Partial run**: interrupted; the figures cover only the trials that finished.\n")
	}
	for _, g := range summaryGrids(run) {
		writeMarkdownGrid(ew, g)
	}
	if g, ok := loggingGrid(run); ok {
		writeMarkdownGrid(ew, g)
	}
	if g, ok := claimsGrid(run); ok {
		writeMarkdownGrid(ew, g)
	}
	writeMarkdownList(ew, "Warnings", warnings(run))
	notes := append([]string(nil), run.Notes...)
	if v := checksumVerdict(run); v != "" {
		notes = append(notes, v)
	}
	notes = append(notes, kneeNotes(run)...)
	notes = append(notes, pythonNotes(run)...)
	writeMarkdownList(ew, "Notes", notes)
	if ew.err != nil {
		return fmt.Errorf("report: markdown: %w", ew.err)
	}
	return nil
}

func writeMarkdownGrid(ew *errWriter, g grid) {
	ew.printf("\n### %s\n\n", mdEscape(g.Title))
	cells := make([]string, len(g.Headers))
	for i, h := range g.Headers {
		cells[i] = mdEscape(h)
	}
	ew.printf("| %s |\n", strings.Join(cells, " | "))
	for i := range g.Headers {
		cells[i] = "---"
		if g.Numeric[i] {
			cells[i] = "---:"
		}
	}
	ew.printf("| %s |\n", strings.Join(cells, " | "))
	for _, row := range g.Rows {
		for i, c := range row {
			cells[i] = mdEscape(c)
		}
		ew.printf("| %s |\n", strings.Join(cells, " | "))
	}
}

func writeMarkdownList(ew *errWriter, title string, items []string) {
	if len(items) == 0 {
		return
	}
	ew.printf("\n### %s\n\n", title)
	for _, s := range items {
		ew.printf("- %s\n", mdEscape(s))
	}
}

// mdEscape keeps a cell from breaking the table or turning into markup.
var mdEscape = strings.NewReplacer(
	"|", `\|`, "\n", " ", "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;",
).Replace
