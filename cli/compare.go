package cli

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/poolbench/poolbench/report"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
	"github.com/spf13/cobra"
)

type compareOptions struct {
	out              string
	failOnRegression float64
	force            bool
}

func newCompareCmd() *cobra.Command {
	o := compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare OLD.json NEW.json",
		Short: "What changed between two runs, and is it significant",
		Long: `compare matches the results of two runs strategy by strategy and prints, for
wall time, CPU and peak memory, the old and new medians, the change, and
whether a two-sided Mann-Whitney U test on the trials finds it significant,
with the geometric mean of the changes. It writes the same as a page,
compare.html, into --out (default: the folder holding NEW.json).

Runs that measured different things are refused (exit status 2) unless
--force: other workloads, task counts, task sizes, payloads, skews, exec
commands, args files, chunk sizes or process caps (these two only where
both runs measured a strategy they reach). Results with failed tasks, and
partial runs, are marked.

With --fail-on-regression PCT it exits with status 1 when any wall time grew
significantly by more than PCT percent, when a result of the new run has
failed tasks the old one did not, or when the new run lacks a result the old
one has: a check for CI.`,
		Example: `  poolbench compare before/results.json after/results.json
  poolbench compare main.json branch.json --fail-on-regression 10`,
		Args: wantFiles("compare OLD.json NEW.json", 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			catchSIGPIPE()
			return o.run(cmd, args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "folder for compare.html (default: the folder holding NEW.json)")
	f.Float64Var(&o.failOnRegression, "fail-on-regression", 0, "exit 1 if a wall time grew significantly by more than this percentage, or the new run has new failures or missing results")
	f.BoolVar(&o.force, "force", false, "compare runs that measured different things (workloads, task counts, sizes, options): what they share")
	return cmd
}

func (o *compareOptions) run(cmd *cobra.Command, oldPath, newPath string) error {
	gate := cmd.Flags().Changed("fail-on-regression")
	if pct := o.failOnRegression; gate && (pct < 0 || math.IsNaN(pct) || math.IsInf(pct, 0)) {
		return usagef("--fail-on-regression %v: want a percentage of 0 or more", pct)
	}
	old, err := readRun(oldPath)
	if err != nil {
		return err
	}
	new, err := readRun(newPath)
	if err != nil {
		return err
	}
	compare := report.Compare
	if o.force {
		compare = report.CompareMismatched
	}
	cmp, err := compare(old, new)
	if err != nil {
		// Every error Compare returns is about what it was given.
		msg := strings.TrimPrefix(err.Error(), "report: compare: ")
		if errors.Is(err, report.ErrMismatch) {
			msg = strings.TrimPrefix(msg, report.ErrMismatch.Error()+": ") + " (--force compares them anyway)"
		}
		return usagef("cannot compare %s with %s: %s", oldPath, newPath, msg)
	}
	dir := o.out
	if dir == "" {
		dir = filepath.Dir(newPath)
	}
	if dir, err = prepareOut(dir, "compare"); err != nil {
		return err
	}
	var page bytes.Buffer
	if err := report.CompareHTML(&page, cmp); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "compare.html"), page.Bytes()); err != nil {
		return err
	}
	// A table whose reader went away (| head) is no failure of the
	// comparison: the page is written, and the exit status is the gate's.
	printErr := report.CompareTable(cmd.OutOrStdout(), cmp)
	if errors.Is(printErr, syscall.EPIPE) {
		printErr = nil
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "comparison: %s\n", filepath.Join(dir, "compare.html"))
	if !gate {
		return printErr
	}
	if n, why := untestable(cmp); n > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: --fail-on-regression cannot fail on %d of %d wall times: %s\n", n, len(cmp.Rows), why)
	}
	return errors.Join(printErr, regressionError(cmp.Regressions(o.failOnRegression), o.failOnRegression), gateError(cmp.GateFailures()))
}

// untestable counts the rows whose wall times had too few trials for any
// change to be significant, and says why, so that a regression gate run
// with --repeat 2 does not pass in silence.
func untestable(cmp *report.Comparison) (n int, why string) {
	for _, r := range cmp.Rows {
		if r.Wall.TooFew {
			if n == 0 {
				why = fmt.Sprintf("%s on %s has %d+%d trials, too few for any change to reach p <= %.2f", r.Strategy, r.Workload, r.Wall.OldN, r.Wall.NewN, stats.Alpha)
			}
			n++
		}
	}
	return n, why
}

// gateError is the failure --fail-on-regression reports for what is not a
// wall time: new failures, missing results.
func gateError(failures []string) error {
	if len(failures) == 0 {
		return nil
	}
	return errors.New("the new run is worse: " + strings.Join(failures, "; "))
}

// regressionError is the failure --fail-on-regression reports: a run that
// got slower, not bad input, so exit status 1.
func regressionError(rows []report.Row, pct float64) error {
	if len(rows) == 0 {
		return nil
	}
	var each []string
	for _, r := range rows {
		name := r.Strategy
		if r.Workers > 0 {
			name += " ×" + strconv.Itoa(r.Workers)
		}
		each = append(each, fmt.Sprintf("%s on %s %+.0f%% (p=%.3f)", name, r.Workload, r.Wall.Change*100, r.Wall.P))
	}
	return errors.New("wall time regressed beyond " + strconv.FormatFloat(pct, 'f', -1, 64) + "%: " + strings.Join(each, ", "))
}
