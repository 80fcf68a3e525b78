package pyref

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

// Strategies are the names the script runs, as Job.Strategy takes them.
var Strategies = []string{"serial", "threads", "process-per-task", "pool-apply", "pool-apply-async", "pool-map"}

// Article is the Job.Strategy of the article's pool example as it wrote it:
// Pool(Workers), apply_async for each of Tasks tasks that sleep Size
// nanoseconds and return i + 100, with a callback that prints the pid, the
// parent pid and the value to Stdout; then close() and join().
const Article = "article"

// Job is one batch of tasks for the interpreter to run one way.
type Job struct {
	Strategy string // one of Strategies
	Workload string // cpu, io or noop
	Size     uint64 // as the workload's ParseSize returned it
	Tasks    int
	Workers  int // the pool size
	// Faults holds the injected fault of each failing task.
	Faults map[int]workloads.Fault
	// TaskTimeout bounds each task where CPython can end one: in-process
	// tasks are abandoned, a Process per task is killed. A Pool cannot
	// time a task out, so Stall is what ends it.
	TaskTimeout time.Duration
	// StartMethod is multiprocessing's: fork, forkserver or spawn; "" for
	// the interpreter's default.
	StartMethod string
	// Stall, when positive, ends the run once no record (a task done, a
	// child started) has arrived for that long after the interpreter's
	// first: the tasks without a result are reported hung.
	Stall time.Duration
	// Reap makes this process a child subreaper, so that the processes
	// orphaned when the interpreter is killed are reaped here rather than
	// left to init. For a process dedicated to the run, such as a trial.
	Reap bool
	// Stdout and Stderr receive what the interpreter and its tasks print.
	Stdout, Stderr io.Writer
}

// wire is the job as the script reads it on stdin.
type wire struct {
	Strategy    string         `json:"strategy"`
	Workload    string         `json:"workload"`
	Size        uint64         `json:"size"`
	Tasks       int            `json:"tasks"`
	Workers     int            `json:"workers"`
	Faults      map[string]int `json:"faults"`
	TaskTimeout float64        `json:"task_timeout"`
	StartMethod string         `json:"start_method"`
}

func (j Job) wire() (wire, error) {
	known := j.Strategy == Article
	for _, s := range Strategies {
		known = known || s == j.Strategy
	}
	switch {
	case !known:
		return wire{}, fmt.Errorf("pyref: unknown strategy %q", j.Strategy)
	case j.Tasks < 1 || j.Workers < 1:
		return wire{}, fmt.Errorf("pyref: %d tasks, %d workers: want at least 1 of each", j.Tasks, j.Workers)
	}
	w := wire{
		Strategy: j.Strategy, Workload: j.Workload, Size: j.Size, Tasks: j.Tasks, Workers: j.Workers,
		Faults: map[string]int{}, TaskTimeout: j.TaskTimeout.Seconds(), StartMethod: j.StartMethod,
	}
	for i, f := range j.Faults {
		if f != workloads.NoFault && i >= 0 && i < j.Tasks {
			w.Faults[strconv.Itoa(i)] = int(f)
		}
	}
	return w, nil
}

// Sink receives what the interpreter reports, as it happens, from one
// goroutine.
type Sink interface {
	// Task is task index's result or error and its latency as the script
	// measured it (submission to result, as the Go strategies measure it).
	Task(index int, value []byte, err error, latency time.Duration)
	// WorkerPID is the pool worker that ran a task, as it said with the
	// task's result.
	WorkerPID(pid int)
	// Spawn is one child process, from start() to its first line of code.
	Spawn(pid int, d time.Duration)
	// CallbackPID is a process that ran a result callback.
	CallbackPID(pid int)
}

// Report is what Run saw of the interpreter.
type Report struct {
	// PID is the interpreter's: the pool's owner, where callbacks run.
	PID         int
	Version     string
	StartMethod string
	// Begin and End bound the strategy's own work, the interpreter's
	// start-up and exit left out, as this process received the records.
	Begin, End time.Time
	// Hung is set when the run was ended for lack of progress.
	Hung bool
}
