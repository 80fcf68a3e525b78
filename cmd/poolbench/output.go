package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/poolbench/poolbench/report"
	"github.com/poolbench/poolbench/results"
)

// defaultOutRoot holds one timestamped folder per run; it is gitignored.
const defaultOutRoot = "poolbench-results"

// prepareOut returns the folder a run writes to, creating it and checking
// that it is writable before any measuring starts: a run that cannot save
// its results should fail in a second, not after ten minutes.
func prepareOut(out, command string) (string, error) {
	if out == "" {
		stamp := time.Now().Format("20060102-150405")
		out = filepath.Join(defaultOutRoot, command+"-"+stamp)
		for i := 2; exists(out); i++ {
			out = filepath.Join(defaultOutRoot, fmt.Sprintf("%s-%s-%d", command, stamp, i))
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", usagef("--out %s: %v", out, unwrapPath(err))
	}
	probe, err := os.CreateTemp(out, ".write-test-*")
	if err != nil {
		return "", usagef("--out %s is not writable: %v", out, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return out, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// saveRun writes results.json, the charts and report.html into dir. The
// JSON goes first and atomically: it is the record; the rest can always be
// made again with `poolbench report`.
func saveRun(dir string, run *results.Run) error {
	if err := results.WriteFile(filepath.Join(dir, "results.json"), run); err != nil {
		return err
	}
	if _, err := report.Charts(run, dir); err != nil {
		return err
	}
	return report.WriteHTML(dir, run)
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
