package harness

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// Noise thresholds, as pyperf and hyperfine judge a benchmark's machine.
const (
	// otherCoreLimit is how much of one core other work may take during a
	// trial before its figures are suspect: the trial's processes wait
	// for CPUs it takes.
	otherCoreLimit = 0.10
	// efficiencyLimit is the efficiency above which a result beats its own
	// ideal: no quiet machine does that, so its baseline was slowed.
	efficiencyLimit = 1.05
	// noiseAdvice is what a user can do about it.
	noiseAdvice = "close other work, use --repeat, or pin CPUs (taskset)"
)

// trialLoad is what the machine did during one trial.
type trialLoad struct {
	wall       float64 // seconds from the trial's start to its reaping, as the parent saw them
	treeCPU    float64 // the trial tree's CPU seconds (rusage)
	busyCPU    float64 // the machine's busy CPU seconds over the same span (/proc/stat)
	selfCPU    float64 // this process's CPU seconds over the same span (the sampler's included)
	usableCPUs int
	tick       float64 // the unit /proc/stat counts in, seconds
	cpus       int     // CPUs /proc/stat sums over
}

// other is the CPU seconds the rest of the machine used.
func (l trialLoad) other() float64 { return max(l.busyCPU-l.treeCPU-l.selfCPU, 0) }

// noise says what made a trial's figures unreliable, or "" if nothing did.
// /proc/stat counts in ticks on each CPU while rusage is exact, so up to
// two ticks per CPU of other CPU are put down to counting.
func (l trialLoad) noise() string {
	if l.wall <= 0 {
		return ""
	}
	var why []string
	slack := 2 * l.tick * float64(l.cpus)
	if other := l.other(); other-slack > otherCoreLimit*l.wall {
		why = append(why, fmt.Sprintf("other processes used %.0f%% of a core beside it", other/l.wall*100))
	}
	if l.usableCPUs > 0 && l.wall*float64(l.usableCPUs)*1.01 < l.treeCPU {
		why = append(why, fmt.Sprintf("it used %.3fs of CPU in %.3fs, more than its %d usable CPUs can give",
			l.treeCPU, l.wall, l.usableCPUs))
	}
	return strings.Join(why, "; ")
}

// efficiencyNoise says why an efficiency is not believable, or "".
func efficiencyNoise(eff float64) string {
	if eff > efficiencyLimit {
		return fmt.Sprintf("efficiency %.0f%% beats the ideal, so the serial baseline it is measured against was slowed", eff*100)
	}
	return ""
}

// noisyWarning is the warning a noisy result gets.
func noisyWarning(reason string) string {
	return fmt.Sprintf("noisy: %s; %s", reason, noiseAdvice)
}

// stretchWarning is the sampling interval past which the user is told that
// the sampler slowed down: below it, only the results file says so.
const stretchWarning = 50 * time.Millisecond

// markNoisyTrials marks a result noisy if any of its trials was.
func markNoisyTrials(r *results.Result) {
	n, first := 0, ""
	for _, t := range r.Trials {
		if t.NoisyReason != "" {
			if n++; first == "" {
				first = t.NoisyReason
			}
		}
	}
	if n > 0 {
		markNoisy(r, fmt.Sprintf("in %d of %d trials %s", n, len(r.Trials), first))
	}
}

// markNoisy marks a result noisy for reason, with a warning saying what to
// do about it.
func markNoisy(r *results.Result, reason string) {
	r.Noisy = true
	if r.NoisyReason == "" {
		r.NoisyReason = reason
	} else {
		r.NoisyReason += "; " + reason
	}
	r.Warnings = append(r.Warnings, noisyWarning(reason))
}

// nonZero drops zeros: figures not measured in some trials.
func nonZero(xs []float64) []float64 {
	return slices.DeleteFunc(xs, func(x float64) bool { return x == 0 })
}

// markNoisyEfficiency marks the results whose efficiency, as stats derived
// it, beats their ideal. Failed tasks, in the result or in its baseline,
// can explain that instead of a slowed baseline: the ideal assumes every
// task does the baseline's work, and a failed task takes its own time (a
// crash less, a timeout more, waited out one after another in serial and
// side by side in a pool). Where timeouts, or failures enough to matter
// (failedShare), were seen, the result gets a warning saying so instead;
// a stray failure explains nothing, and the result is marked noisy.
func markNoisyEfficiency(run *results.Run) {
	for i := range run.Results {
		r := &run.Results[i]
		if r.Efficiency == nil || efficiencyNoise(*r.Efficiency) == "" {
			continue
		}
		failed, runs, timeouts, where := r.ErrorsTotal, r.Tasks*max(r.Repeats, 1), r.ErrorKinds["timeout"], "here"
		if b := stats.Baseline(run, r); b != nil && b != r {
			failed, runs, timeouts = failed+b.ErrorsTotal, runs+b.Tasks*max(b.Repeats, 1), timeouts+b.ErrorKinds["timeout"]
			where += " or in " + b.Strategy
		}
		if failed > 0 && (timeouts > 0 || float64(failed) >= failedShare*float64(runs)) {
			r.Warnings = append(r.Warnings, fmt.Sprintf("efficiency %.0f%% beats the ideal because %s failed %s: a failed task's time is not the work's",
				*r.Efficiency*100, tasksText(failed), where))
			continue
		}
		markNoisy(r, efficiencyNoise(*r.Efficiency))
	}
}

// failedShare is the share of a result's and its baseline's tasks that,
// failing, can move an efficiency past its ideal without a timeout.
const failedShare = 0.05

func tasksText(n int) string {
	if n == 1 {
		return "1 task"
	}
	return fmt.Sprintf("%d tasks", n)
}
