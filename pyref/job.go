package pyref

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

// Strategies are the names the script runs, as Job.Strategy takes them.
var Strategies = []string{"serial", "threads", "process-per-task", "pool-apply", "pool-apply-async", "pool-map"}

// Workloads are the workloads the script has a twin of, each giving the
// same values as the Go workload of that name.
var Workloads = []string{"cpu", "io", "noop", "skewed", "alloc", "payload"}

// Article is the Job.Strategy of the article's pool example as it wrote it:
// Pool(Workers), apply_async for each of Tasks tasks that sleep Size
// nanoseconds and return i + 100, with a callback that prints the pid, the
// parent pid and the value to Stdout; then close() and join().
const Article = "article"

// Job is one batch of tasks for the interpreter to run one way.
type Job struct {
	Strategy string // one of Strategies
	Workload string // one of Workloads
	Size     uint64 // as the workload's ParseSize returned it
	// Sizes, when set, is each task's own size (skewed's round counts, as
	// workloads.SkewedRounds draws them): one a task.
	Sizes []uint64
	// Seed and PayloadIn, PayloadOut are payload's options, as
	// workloads.Options holds them (PayloadIn and PayloadOut resolved: not 0).
	Seed                  int64
	PayloadIn, PayloadOut uint64
	Tasks                 int
	Workers               int // the pool size
	// ChunkSize is Pool.map's chunksize; 0 leaves it to CPython, which
	// cuts the tasks into about four chunks per worker.
	ChunkSize int
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
	Sizes       []uint64       `json:"sizes,omitempty"`
	Seed        int64          `json:"seed"`
	PayloadIn   uint64         `json:"payload_in"`
	PayloadOut  uint64         `json:"payload_out"`
	Tasks       int            `json:"tasks"`
	Workers     int            `json:"workers"`
	ChunkSize   int            `json:"chunk_size,omitempty"`
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
	case j.Strategy != Article && !slices.Contains(Workloads, j.Workload):
		return wire{}, fmt.Errorf("pyref: %w %q (have %s)", ErrNoTwin, j.Workload, strings.Join(Workloads, ", "))
	case j.ChunkSize < 0:
		return wire{}, fmt.Errorf("pyref: chunk size %d: want at least 1, or 0 for CPython's", j.ChunkSize)
	case j.Tasks < 1 || j.Workers < 1:
		return wire{}, fmt.Errorf("pyref: %d tasks, %d workers: want at least 1 of each", j.Tasks, j.Workers)
	case j.Sizes != nil && len(j.Sizes) != j.Tasks:
		return wire{}, fmt.Errorf("pyref: %d task sizes for %d tasks", len(j.Sizes), j.Tasks)
	case j.Workload == "payload" && (j.PayloadIn == 0 || j.PayloadOut == 0):
		return wire{}, fmt.Errorf("pyref: payload of %d bytes in, %d out: want at least 1 each way", j.PayloadIn, j.PayloadOut)
	}
	w := wire{
		Strategy: j.Strategy, Workload: j.Workload, Size: j.Size, Sizes: j.Sizes, Tasks: j.Tasks, Workers: j.Workers, ChunkSize: j.ChunkSize,
		Seed: j.Seed, PayloadIn: j.PayloadIn, PayloadOut: j.PayloadOut,
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

// TimedSink is a Sink that also takes when each task was done, as the
// interpreter clocked it, rather than when its record arrived: the script
// writes its results in batches, every 50 ms. Began comes first, with when
// the script's work began (Report.Begin), from which those times count.
type TimedSink interface {
	Sink
	Began(at time.Time)
	TaskAt(index int, value []byte, err error, latency time.Duration, done time.Time)
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
