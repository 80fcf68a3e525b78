package strategies

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/poolbench/poolbench/pyref"
	"github.com/poolbench/poolbench/workloads"
)

var (
	// ErrNoPython is returned by a py-* strategy whose plan names no
	// interpreter.
	ErrNoPython = errors.New("no python3 interpreter for a py-* strategy (--python PATH)")
	// ErrNoTwin is returned by a py-* strategy asked to run a workload that
	// has no CPython twin (workloads.Workload.Python is false): pyref's own
	// error, so that one errors.Is answers for both packages.
	ErrNoTwin = pyref.ErrNoTwin
)

// pyTraits are the traits of one of CPython's strategies: its speedup is
// against py-serial, as the article compares them, and counterpart names
// its Go analogue.
func pyTraits(counterpart string, usesPoolSize bool) Traits {
	return Traits{UsesPoolSize: usesPoolSize, Baseline: "py-serial", Counterpart: counterpart, Language: "python"}
}

// IsPython reports whether the named strategy runs under CPython.
func IsPython(name string) bool { return strings.HasPrefix(name, "py-") }

// runPython runs CPython's version of a strategy (pyref's name for it) in an
// interpreter started by this trial. The trial's wall time is the
// interpreter's own span of the work, its start-up left out as the trial's
// is for a Go strategy; its CPU and memory count in full.
func runPython(ctx context.Context, strategy string, plan Plan, rec *Recorder) error {
	if err := validate(plan); err != nil {
		return err
	}
	if !plan.Workload.Python {
		return fmt.Errorf("py-%s: %w %s; the py-* strategies run only workloads that have one", strategy, ErrNoTwin, plan.Workload.Name)
	}
	if plan.Python == "" {
		return ErrNoPython
	}
	job := pyref.Job{
		Strategy: strategy, Workload: plan.Workload.Name, Size: plan.Size,
		Tasks: plan.Tasks, Workers: plan.Workers, ChunkSize: plan.ChunkSize, Seed: plan.Options.Seed,
		TaskTimeout: plan.TaskTimeout, StartMethod: plan.PyStartMethod,
		Stall: stallBound(strategy, plan),
		// A trial is a process of its own: it adopts and reaps whatever the
		// interpreter leaves when it is killed.
		Reap:   true,
		Stdout: os.Stdout, Stderr: os.Stderr,
	}
	switch plan.Workload.Name {
	case workloads.PayloadName:
		job.PayloadIn, job.PayloadOut = workloads.PayloadSizes(plan.Options)
	case workloads.SkewedName:
		// Drawn here, not by the script: Go's exp, log and cos may differ
		// from the C library's in the last place, and a round count must
		// not.
		job.Sizes = make([]uint64, plan.Tasks)
		for i := range job.Sizes {
			job.Sizes[i] = workloads.SkewedRounds(plan.Size, plan.Options, i)
		}
	}
	if plan.Faults.Any() {
		job.Faults = map[int]workloads.Fault{}
		for i := range plan.Tasks {
			if f := plan.Faults.For(i); f != workloads.NoFault {
				job.Faults[i] = f
			}
		}
	}
	if strategy == "pool-map" {
		// Pool.map hands every result back at once: the script clocks
		// them all at its return.
		rec.FinishTimesUnknown()
	}
	rep, err := pyref.Run(ctx, plan.Python, job, recorderSink{rec})
	rec.SetOwner(rep.PID)
	rec.SetSpan(rep.Begin, rep.End)
	return err
}

// stallBound is how long a py-* run may go without a task finishing before
// it is ended as hung. With --task-timeout it is that timeout, plus a
// second's grace where CPython enforces the timeout itself (serial,
// threads, a Process per task), so that a task ending at it counts as a
// timeout; a Pool cannot time a task out. Without, it is 20 times a
// pessimistic estimate of CPython's longest task (2 µs a SHA-256 round or
// a small object, 10 ns a payload byte; the sleep), and at least 5 s.
func stallBound(strategy string, plan Plan) time.Duration {
	if plan.TaskTimeout > 0 {
		if strings.HasPrefix(strategy, "pool-") {
			return plan.TaskTimeout
		}
		return plan.TaskTimeout + time.Second
	}
	var task time.Duration
	switch plan.Workload.Name {
	case workloads.CPUName:
		task = time.Duration(plan.Size) * 2 * time.Microsecond
	case workloads.SkewedName:
		for i := range plan.Tasks {
			task = max(task, time.Duration(workloads.SkewedRounds(plan.Size, plan.Options, i))*2*time.Microsecond)
		}
	case workloads.AllocName:
		task = time.Duration(plan.Size/64) * 2 * time.Microsecond
	case workloads.PayloadName:
		in, out := workloads.PayloadSizes(plan.Options)
		task = time.Duration(in+out) * 10 * time.Nanosecond
	case workloads.IOName:
		task = time.Duration(plan.Size)
	}
	return max(5*time.Second, 20*task)
}

// recorderSink hands the interpreter's reports to the trial's Recorder,
// each task finished when the interpreter clocked it, not when its batch
// arrived.
type recorderSink struct{ rec *Recorder }

func (s recorderSink) Task(i int, v []byte, err error, latency time.Duration) {
	s.rec.Task(i, v, err, latency)
}
func (s recorderSink) Began(at time.Time) { s.rec.SetOrigin(at) }
func (s recorderSink) TaskAt(i int, v []byte, err error, latency time.Duration, done time.Time) {
	s.rec.TaskAt(i, v, err, latency, done)
}
func (s recorderSink) Spawn(_ int, d time.Duration) { s.rec.Spawn(d) }
func (s recorderSink) CallbackPID(pid int)          { s.rec.CallbackPID(pid) }
func (s recorderSink) WorkerPID(pid int)            { s.rec.WorkerPID(pid) }
