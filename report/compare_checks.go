package report

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// ErrMismatch is wrapped by Compare's error for runs that measured
// different things: their figures differ for reasons other than the change
// being tested.
var ErrMismatch = errors.New("the runs measured different things")

// Mismatches says how two runs measured different things: other
// workloads, task counts, task sizes, workload options (payload, skew,
// command, args file), chunk sizes or process caps. Each is one phrase.
func Mismatches(old, new *results.Run) []string {
	var out []string
	ow, nw := workloadSet(old), workloadSet(new)
	if !slices.Equal(ow, nw) {
		out = append(out, fmt.Sprintf("the runs measured different workloads (old: %s; new: %s)", orNone(ow), orNone(nw)))
	}
	if a, b := old.Config.Tasks, new.Config.Tasks; a != b {
		out = append(out, fmt.Sprintf("different task counts (old: %d; new: %d)", a, b))
	}
	for _, w := range ow {
		if !slices.Contains(nw, w) {
			continue
		}
		if a, b := old.Config.TaskSize[w], new.Config.TaskSize[w]; a != b {
			out = append(out, fmt.Sprintf("different %s task sizes (old: %s; new: %s)", w, orDash(a), orDash(b)))
		}
	}
	oc, nc := old.Config, new.Config
	// A chunk size and a process cap are recorded only for the strategies
	// they reach: runs that share none of those strategies have nothing to
	// compare them on.
	isMap := func(s string) bool { return strings.HasSuffix(s, "pool-map") }
	isPerTask := func(s string) bool { return s == "process-per-task" }
	for _, o := range []struct {
		what, a, b string
		applies    bool
	}{
		{"payloads", oc.Payload, nc.Payload, true},
		{"skews", skewOf(oc.Skew), skewOf(nc.Skew), true},
		{"commands", commandOf(oc), commandOf(nc), true},
		{"args files", oc.ArgsFile, nc.ArgsFile, true},
		{"chunk sizes", countOf(oc.ChunkSize), countOf(nc.ChunkSize), bothRan(old, new, isMap)},
		{"process caps", countOf(oc.MaxProcesses), countOf(nc.MaxProcesses), bothRan(old, new, isPerTask)},
	} {
		if o.applies && o.a != o.b {
			out = append(out, fmt.Sprintf("different %s (old: %s; new: %s)", o.what, orDash(o.a), orDash(o.b)))
		}
	}
	return out
}

func skewOf(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(*s, 'g', -1, 64)
}

// bothRan reports whether the two runs share a strategy that is: only
// their results of it were reached by the option in question.
func bothRan(old, new *results.Run, is func(strategy string) bool) bool {
	for _, o := range old.Results {
		if is(o.Strategy) && slices.ContainsFunc(new.Results, func(n results.Result) bool { return n.Strategy == o.Strategy }) {
			return true
		}
	}
	return false
}

// commandOf is the exec command as recorded, marked when it ran directly
// (--cmd-argv) rather than through sh: the same text is then another
// command, with no shell's start in its time.
func commandOf(c results.Config) string {
	if c.CmdArgv {
		return c.Cmd + " (argv)"
	}
	return c.Cmd
}

// countOf is n as recorded, "" for 0 (not given).
func countOf(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Cautions are what a reader of the comparison must know before trusting a
// change: a partial run, results with failed tasks or measured on a busy
// machine, runs compared although they measured different things.
func (c *Comparison) Cautions() []string {
	var out []string
	for _, m := range c.Mismatches {
		out = append(out, "compared although "+m)
	}
	for _, side := range []struct {
		name string
		run  *results.Run
	}{{"old", c.Old}, {"new", c.New}} {
		if side.run.Partial {
			out = append(out, "the "+side.name+" run is partial: it did not measure everything it planned")
		}
	}
	for _, r := range c.Rows {
		if r.OldErrors != 0 || r.NewErrors != 0 {
			out = append(out, fmt.Sprintf("%s has failed tasks: %s old, %s new", rowName(r), failures(r.OldErrors, r.OldAllFailed), failures(r.NewErrors, r.NewAllFailed)))
		}
		if r.OldNoisy != "" || r.NewNoisy != "" {
			out = append(out, fmt.Sprintf("%s was flagged noisy, so its change may not be the code's: %s",
				rowName(r), noisySides(r.OldNoisy, r.NewNoisy)))
		}
	}
	return out
}

// noisySides says which side of a row was noisy, and why.
func noisySides(old, new string) string {
	switch {
	case old == "":
		return "new, " + new
	case new == "":
		return "old, " + old
	}
	return "old, " + old + "; new, " + new
}

func failures(n int, all bool) string {
	if all {
		return "all"
	}
	return strconv.Itoa(n)
}

// GateFailures are what --fail-on-regression fails on besides a slower wall
// time: failed tasks the old run did not have, a result whose every task
// failed where the old one's did not, and results the new run lacks.
func (c *Comparison) GateFailures() []string {
	var out []string
	for _, r := range c.Rows {
		switch {
		case r.NewErrors > 0 && r.OldErrors == 0:
			if r.NewAllFailed {
				out = append(out, fmt.Sprintf("%s has every task failing, the old run none", rowName(r)))
			} else {
				out = append(out, fmt.Sprintf("%s has %d failed tasks per trial, the old run none", rowName(r), r.NewErrors))
			}
		case r.NewAllFailed && !r.OldAllFailed:
			out = append(out, fmt.Sprintf("%s has all its tasks failed, the old run %d per trial", rowName(r), r.OldErrors))
		}
	}
	for _, k := range c.OnlyOld {
		out = append(out, k+" is missing from the new run")
	}
	return out
}

func rowName(r Row) string {
	if r.Workers > 0 {
		return r.Strategy + " ×" + strconv.Itoa(r.Workers) + " on " + r.Workload
	}
	return r.Strategy + " on " + r.Workload
}
