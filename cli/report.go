package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/poolbench/poolbench/claims"
	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/report"
	"github.com/poolbench/poolbench/results"
	"github.com/spf13/cobra"
)

type reportOptions struct {
	out    string
	format string
}

func newReportCmd() *cobra.Command {
	o := reportOptions{}
	cmd := &cobra.Command{
		Use:   "report RESULTS.json|journal.jsonl",
		Short: "Re-render a saved run: charts, report.html, or any export format",
		Long: `report reads a results.json written by run (or sweep, or log) and renders it
again with this build's report writers.

Without --format it writes the PNG charts and report.html into --out (by
default the folder holding RESULTS.json) and prints the summary table. With
--format it prints that format on stdout instead and writes nothing, unless
--out is given; --format html writes report.html into --out and prints its
path.

Given the journal.jsonl of a run that died before saving, it rebuilds the
run's results.json from the trials journaled (into --out, by default the
journal's folder, where the journal is then removed) and renders it.`,
		Example: `  poolbench report poolbench-results/run-20250101-120000/results.json
  poolbench report results.json --format markdown >> pr.md
  poolbench report results.json --out /tmp/page --format html`,
		Args: wantFiles("report RESULTS.json|journal.jsonl", 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "folder for the charts and report.html (default: the folder holding RESULTS.json)")
	f.StringVar(&o.format, "format", "", "print this format instead of the table: "+strings.Join(report.Formats(), "|"))
	return cmd
}

func (o *reportOptions) run(cmd *cobra.Command, path string) error {
	if o.format != "" {
		if _, err := report.Writer(o.format); err != nil {
			return usagef("--format %q: want one of %s", o.format, strings.Join(report.Formats(), ", "))
		}
	}
	format := strings.ToLower(strings.TrimSpace(o.format))
	run, journal, err := readRunOrJournal(path)
	if err != nil {
		return err
	}
	if err := checkFormatFor(format, run); err != nil {
		return err
	}
	// An export on stdout writes no files unless asked to: the results
	// folder may be read-only, or someone else's. A journal is there to be
	// made into results.json, so it always is.
	writeFiles := format == "" || format == "html" || cmd.Flags().Changed("out") || journal
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if format == "" {
		format = "table"
	}
	if !writeFiles {
		return printRun(stdout, format, run)
	}
	dir := o.out
	if dir == "" {
		dir = filepath.Dir(path)
	}
	if dir, _, err = makeFolder(dir, "report"); err != nil {
		return err
	}
	folder, err := lockFolder(dir)
	if err != nil {
		return err
	}
	defer folder.release()
	// A folder's report is its results.json's: another run's report and
	// charts written beside it would pass for that run's.
	if !journal && exists(folder.resultsPath()) {
		if same, _ := sameFile(path, folder.resultsPath()); !same {
			return usagef("%s holds another run's results.json, whose report this would replace; give --out a folder of its own", dir)
		}
	}
	if journal {
		if err := o.saveRebuilt(stderr, folder, path, run); err != nil {
			return err
		}
	}
	if format == "html" {
		if err := report.WriteHTML(dir, run); err != nil {
			return err
		}
		fmt.Fprintln(stdout, filepath.Join(dir, "report.html"))
		return nil
	}
	charts, err := report.WriteFiles(dir, run)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "report: %s, with %d PNG charts beside it\n", filepath.Join(dir, "report.html"), len(charts))
	return printRun(stdout, format, run)
}

// saveRebuilt writes the run rebuilt from the journal at path as
// results.json in folder, and removes the journal if it is in the same
// folder: results.json now holds all it held.
func (o *reportOptions) saveRebuilt(stderr io.Writer, folder *runFolder, path string, run *results.Run) error {
	if exists(folder.resultsPath()) {
		return usagef("%s already holds a results.json; give --out another folder for the run rebuilt from %s", folder.dir, path)
	}
	if err := results.WriteFile(folder.resultsPath(), run); err != nil {
		return err
	}
	if same, _ := sameFile(filepath.Dir(path), folder.dir); same {
		os.Remove(path)
	}
	fmt.Fprintf(stderr, "results: %s, rebuilt from %s\n", folder.resultsPath(), path)
	return nil
}

func sameFile(a, b string) (bool, error) {
	ia, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	ib, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(ia, ib), nil
}

// readRunOrJournal reads a results file or, when path is a run's journal,
// rebuilds the run from it; journal says which.
func readRunOrJournal(path string) (run *results.Run, journal bool, err error) {
	data, err := readInput(path)
	if err != nil {
		return nil, false, err
	}
	if !bytes.HasPrefix(data, []byte(`{"header":`)) {
		run, err := readRunData(path, data)
		return run, false, err
	}
	run, err = harness.Rebuild(bytes.NewReader(data))
	if err != nil {
		return nil, true, usagef("%s: %s", path, strings.TrimPrefix(err.Error(), "harness: "))
	}
	if !run.Partial && (run.Command == "run" || run.Command == "claims") {
		run.Claims = claims.Evaluate(run)
	}
	if !run.Partial && run.Command == "claims" {
		// The API checks ran after the trials and are not journaled.
		run.Notes = append(run.Notes, "rebuilt from its journal without the pool's API checks: `poolbench claims --from` this results.json runs them")
	}
	return run, true, nil
}

// wantFiles checks the number of results files a command was given, and
// shows how to call it when the count is wrong.
func wantFiles(use string, n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch {
		case len(args) == n:
			return nil
		case len(args) == 1:
			return usagef("usage: poolbench %s (got 1 argument)", use)
		}
		return usagef("usage: poolbench %s (got %d arguments)", use, len(args))
	}
}

// readRun reads a results file, turning every way it can be unreadable into
// a one-line usage error that names the file.
func readRun(path string) (*results.Run, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	return readRunData(path, data)
}

func readRunData(path string, data []byte) (*results.Run, error) {
	run, err := results.Unmarshal(data)
	if err != nil {
		return nil, usagef("%s: %s", path, decodeProblem(data, err))
	}
	return run, nil
}

// decodeProblem says why data is not a results file this build reads, in
// words for the person who passed it: the decoder's own message names Go
// types, which mean nothing to them.
func decodeProblem(data []byte, err error) string {
	if errors.Is(err, results.ErrNotResults) {
		data = bytes.TrimSpace(data)
		var v any
		jerr := json.Unmarshal(data, &v)
		// A file cut inside a number or a literal ("1.", "tru") fails on
		// the end of input too, with a message about the character the
		// decoder met there.
		var se *json.SyntaxError
		atEnd := errors.As(jerr, &se) && se.Offset >= int64(len(data))
		switch {
		case len(data) == 0:
			return "empty file; want a poolbench results.json"
		case bytes.HasPrefix(data, []byte(`{"header":`)):
			return "a run's journal, not its results: `poolbench report` rebuilds the results.json from it"
		case jerr != nil && (atEnd || strings.Contains(jerr.Error(), "unexpected end")):
			return "not a poolbench results file: the JSON ends early; is the file truncated?"
		case jerr != nil:
			return "not a poolbench results file: not JSON (" + jerr.Error() + ")"
		}
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("not a poolbench results file: a JSON %s, not an object", jsonKind(v))
		}
		if _, ok := m["schema_version"]; !ok {
			return "not a poolbench results file: it has no schema_version"
		}
	}
	return strings.TrimPrefix(err.Error(), "results: ")
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}
