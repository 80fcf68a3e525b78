package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// Reporter renders one run to w.
type Reporter func(w io.Writer, run *results.Run) error

// reporters maps the names accepted by --format to their writers. HTML is
// here too, so that `--format html` writes the page (with charts embedded)
// to a stream like any other format.
var reporters = map[string]Reporter{
	"table":     Table,
	"json":      JSON,
	"csv":       CSV,
	"markdown":  Markdown,
	"benchstat": Benchstat,
	"html":      HTML,
}

// formatOrder is the order Formats lists the names in: the everyday one
// first, then the machine-readable ones.
var formatOrder = []string{"table", "json", "csv", "markdown", "benchstat", "html"}

// Formats returns the names Writer accepts.
func Formats() []string {
	return append([]string(nil), formatOrder...)
}

// Writer returns the reporter registered under format.
func Writer(format string) (func(io.Writer, *results.Run) error, error) {
	if r, ok := reporters[strings.ToLower(strings.TrimSpace(format))]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("report: unknown format %q (valid: %s)", format, strings.Join(formatOrder, ", "))
}

// JSON writes the run exactly as results.Encode does, so that its output is
// a results file that `poolbench report` and `compare` read back.
func JSON(w io.Writer, run *results.Run) error {
	if run == nil {
		return errNilRun
	}
	if err := results.Encode(w, run); err != nil {
		return fmt.Errorf("report: json: %w", err)
	}
	return nil
}
