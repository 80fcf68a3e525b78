package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/poolbench/poolbench/results"
	"golang.org/x/term"
)

// printClaims writes each claim as a block: the statement, then its
// verdict, figures and how it was measured, wrapped to the terminal. The
// claims are long sentences, which a table with one line per claim would
// spread over hundreds of columns.
func printClaims(w io.Writer, run *results.Run) error {
	width := 100
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols >= 40 {
			width = min(cols, 120)
		}
	}
	ew := &claimsWriter{w: w}
	h := run.Host
	model := h.CPUModel
	if model == "" {
		model = "unknown CPU"
	}
	ew.printf("The article's claims, on this machine: %s · %s · %s/%s · %s\n", model, cpusText(h.CPUs), h.OS, h.Arch, h.GoVersion)
	switch {
	case run.Partial && len(run.Claims) == 0:
		ew.printf("\nthe run was cut short before its claims were judged; claims --from its results.json judges what it measured\n")
	case run.Partial:
		ew.printf("(a partial run: the claims it lacks the figures for are left out)\n")
	case len(run.Claims) == 0:
		ew.printf("\nno claim can be judged from this run\n")
	}
	for _, c := range run.Claims {
		ew.printf("\n%2d. %s\n", c.ID, strings.Join(wrap(c.Statement, width-4), "\n    "))
		for _, field := range []struct{ name, text string }{
			{"verdict", c.Verdict}, {"caveats", strings.Join(c.Caveats, "; ")}, {"figures", c.Figures}, {"measured", c.Measurement},
		} {
			if field.text == "" && field.name == "caveats" {
				continue
			}
			lines := wrap(field.text, width-14)
			ew.printf("    %-9s %s\n", field.name, strings.Join(lines, "\n              "))
		}
	}
	if ew.err != nil {
		return fmt.Errorf("claims: print: %w", ew.err)
	}
	return nil
}

// wrap breaks text into lines of at most width runes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	var line []rune
	for _, word := range strings.Fields(text) {
		r := []rune(word)
		if len(line) > 0 && len(line)+1+len(r) > width {
			lines = append(lines, string(line))
			line = line[:0]
		}
		if len(line) > 0 {
			line = append(line, ' ')
		}
		line = append(line, r...)
	}
	if len(line) > 0 || len(lines) == 0 {
		lines = append(lines, string(line))
	}
	return lines
}

func cpusText(n int) string {
	if n == 1 {
		return "1 CPU"
	}
	return fmt.Sprintf("%d CPUs", n)
}

// claimsWriter keeps the first write error.
type claimsWriter struct {
	w   io.Writer
	err error
}

func (e *claimsWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
