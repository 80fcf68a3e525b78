package cli

import (
	"io"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/report"
	"github.com/poolbench/poolbench/results"
)

// prepareOut returns the folder a command writes to, created and checked
// writable before any measuring starts.
func prepareOut(out, command string) (string, error) {
	return makeFolder(out, command)
}

// printRun writes the run to stdout in the chosen format.
// printRun prints run in format on w. A log run's figures are its modes,
// not results: its CSV is one row per mode, and it has nothing for
// benchstat, which reads benchmark results.
func printRun(w io.Writer, format string, run *results.Run) error {
	if isLogRun(run) {
		switch format {
		case "csv":
			return logCSV(w, run)
		case "benchstat":
			return usagef("--format benchstat: a log run has no benchmark results; choose table, json, csv or markdown")
		}
	}
	write, err := report.Writer(format)
	if err != nil {
		return usageError{err}
	}
	return write(w, run)
}

// isLogRun reports whether run is poolbench log's: modes and no results.
func isLogRun(run *results.Run) bool {
	return len(run.Logging) > 0 && len(run.Results) == 0
}

func checkFormat(format string) error {
	if format == "html" {
		return usagef("--format html: the HTML report is always written to the output folder; choose one of table, json, csv, markdown, benchstat for stdout")
	}
	if _, err := report.Writer(format); err != nil {
		stdout := slices.DeleteFunc(report.Formats(), func(f string) bool { return f == "html" })
		return usagef("--format %q: want one of %s", format, strings.Join(stdout, ", "))
	}
	return nil
}
