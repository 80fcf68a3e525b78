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
	dir, _, err := makeFolder(out, command)
	return dir, err
}

// printRun prints run in format on w. A log run's figures are its modes,
// not results: its CSV is one row per mode (the header alone when it was
// stopped before the first), and it has nothing for benchstat.
func printRun(w io.Writer, format string, run *results.Run) error {
	if err := checkFormatFor(format, run); err != nil {
		return err
	}
	if isLogRun(run) && format == "csv" {
		return logCSV(w, run)
	}
	write, err := report.Writer(format)
	if err != nil {
		return usageError{err}
	}
	return write(w, run)
}

// checkFormatFor refuses a format that run has nothing for, before
// anything is written: benchstat reads benchmark results, which a log run
// has none of.
func checkFormatFor(format string, run *results.Run) error {
	if isLogRun(run) && format == "benchstat" {
		return usagef("--format benchstat: a log run has no benchmark results for benchstat to read")
	}
	return nil
}

// isLogRun reports whether run is poolbench log's.
func isLogRun(run *results.Run) bool {
	return run.Command == "log"
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
