package cli

import (
	"io"

	"github.com/poolbench/poolbench/report"
	"github.com/poolbench/poolbench/results"
)

// prepareOut returns the folder a command writes to, created and checked
// writable before any measuring starts.
func prepareOut(out, command string) (string, error) {
	return makeFolder(out, command)
}

// printRun writes the run to stdout in the chosen format.
func printRun(w io.Writer, format string, run *results.Run) error {
	write, err := report.Writer(format)
	if err != nil {
		return usageError{err}
	}
	return write(w, run)
}

func checkFormat(format string) error {
	if format == "html" {
		return usagef("--format html: the HTML report is always written to the output folder; choose one of table, json, csv, markdown, benchstat for stdout")
	}
	if _, err := report.Writer(format); err != nil {
		return usageError{err}
	}
	return nil
}
