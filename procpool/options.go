package procpool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

// Option configures a Pool.
type Option func(*config) error

type config struct {
	workers      int
	maxTasks     int
	initFn       string
	initArgs     []byte
	prefetch     int // < 0: adaptive
	path         string
	args         []string
	env          []string
	stdout       io.Writer
	stderr       io.Writer
	startTimeout time.Duration
	taskTimeout  time.Duration
	maxFrame     int
	trimDumps    bool
	lendArgs     bool
	procs        int // the workers' GOMAXPROCS; 0: their share (workerProcs)
	noRespawn    bool
}

// MaxTasksPerChild retires a worker after n tasks and starts a fresh one, as
// Python's maxtasksperchild does, to bound what a leaky task can accumulate.
func MaxTasksPerChild(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("procpool: MaxTasksPerChild %d: want at least 1", n)
		}
		c.maxTasks = n
		return nil
	}
}

// NoRespawn starts each worker once: one that dies, retires
// (MaxTasksPerChild) or fails to start is not replaced, and tasks left
// queued once no worker is left fail with ErrNoWorkers. A pool keeps its
// size, as Python's does; this is a fixed set of processes instead, such as
// New(1, NoRespawn()) for Python's Process(target=f): a task that kills its
// process is not followed by another process.
func NoRespawn() Option {
	return func(c *config) error { c.noRespawn = true; return nil }
}

// Initializer runs the registered function fn with args once in every worker
// before it takes tasks. A worker whose initializer fails does not start.
// The pool keeps its own copy of args, and so does each worker: the
// initializer may keep them.
func Initializer(fn string, args []byte) Option {
	return func(c *config) error {
		if fn == "" {
			return errors.New("procpool: Initializer needs a function name")
		}
		c.initFn, c.initArgs = fn, bytes.Clone(args)
		return nil
	}
}

// Prefetch sets how many tasks may wait at a worker behind the one it runs.
// 0 hands a worker its next task only when it reports the last one, like a
// pull-based queue; more hides the pipe's round trip. The default adapts: it
// keeps about a millisecond of work queued at each worker (at least one
// task), so short tasks are batched and long ones stay balanced. Values
// above MaxPrefetch mean MaxPrefetch.
func Prefetch(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("procpool: Prefetch %d: want 0 or more", n)
		}
		c.prefetch = min(n, MaxPrefetch)
		return nil
	}
}

// Command sets the worker executable and its arguments. The default is the
// running executable with no arguments; the executable must call
// ServeRole (or ServeIfWorker) first thing.
func Command(path string, args ...string) Option {
	return func(c *config) error {
		if path == "" {
			return errors.New("procpool: Command needs a path")
		}
		c.path, c.args = path, args
		return nil
	}
}

// Env adds environment variables (KEY=value) to the workers' environment.
func Env(kv ...string) Option {
	return func(c *config) error { c.env = append(c.env, kv...); return nil }
}

// workerProcs is the GOMAXPROCS a worker runs with unless its environment
// sets one: WorkerGOMAXPROCS's, or its share of this process's CPUs, at
// least one. A worker runs one task at a time, so a P of its own beyond its
// share only idles; and when workers outnumber CPUs, an idle P has the
// runtime wake a thread for it at every preemption, a context switch each,
// on CPUs the other workers are waiting for.
func (c *config) workerProcs() int {
	if c.procs > 0 {
		return c.procs
	}
	return CPUShare(c.workers)
}

// CPUShare is one process's share of this process's CPUs when n processes
// run at once: GOMAXPROCS / n, at least one. It is a pool's default for
// its workers; WorkerGOMAXPROCS(CPUShare(n)) gives it to the workers of
// pools run n at a time.
func CPUShare(n int) int {
	return max(1, runtime.GOMAXPROCS(0)/max(n, 1))
}

// WorkerGOMAXPROCS sets the GOMAXPROCS of each worker: for tasks that run
// goroutines of their own in parallel, or for pools that run beside
// others (n single-worker pools at once share the CPUs as one pool of n
// workers would). The default is the worker's share of this process's
// CPUs, GOMAXPROCS / workers, at least one. A GOMAXPROCS in the workers'
// environment (Env, or this process's own) wins over either.
func WorkerGOMAXPROCS(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("procpool: WorkerGOMAXPROCS %d: want at least 1", n)
		}
		c.procs = n
		return nil
	}
}

// WorkerOutput sets where the workers' standard output and error go; the
// default is the parent's own.
func WorkerOutput(stdout, stderr io.Writer) Option {
	return func(c *config) error { c.stdout, c.stderr = stdout, stderr; return nil }
}

// TrimThreadLimitDumps leaves out of each worker's stderr the dump of every
// goroutine's stack that the Go runtime prints when it cannot create a
// thread (at `ulimit -u`, which counts threads): its one line saying so goes
// through, and into the error of the worker's tasks. For programs that run
// near the limit on purpose, as a benchmark of many processes does; no
// environment setting quiets those dumps. It costs a pipe and a goroutine a
// worker, and a worker whose task left a subprocess holding its stderr is
// reaped up to a second late. Without it the writer WorkerOutput names (the
// parent's stderr by default) is handed to the workers as it is.
func TrimThreadLimitDumps() Option {
	return func(c *config) error { c.trimDumps = true; return nil }
}

// StartTimeout bounds a worker's start, from the start call to its ready
// handshake (default 30s); a worker that takes longer is killed.
func StartTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("procpool: StartTimeout %v: want a positive duration", d)
		}
		c.startTimeout = d
		return nil
	}
}

// TaskTimeout kills a worker whose task runs longer than d; the task fails
// with an error saying so and the worker is replaced. A task is timed from
// when its worker starts it: one waiting behind another, or sent to a
// worker that is stopped (SIGSTOP) before it starts it, is not yet
// running. Zero, the default, waits forever, as Python does.
func TaskTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("procpool: TaskTimeout %v: want 0 or a positive duration", d)
		}
		c.taskTimeout = d
		return nil
	}
}

// MaxPrefetch is the most tasks Prefetch lets wait at one worker.
const MaxPrefetch = 1 << 20

// MaxFrame bounds one protocol frame (a task's arguments or a result) in
// bytes, from 64 to MaxFrameLimit; DefaultMaxFrame unless set. Workers learn
// it when they start: a result over it fails its task with an
// EncodingError and the worker goes on.
func MaxFrame(n int) Option {
	return func(c *config) error {
		if n < 64 || int64(n) > MaxFrameLimit {
			return fmt.Errorf("procpool: MaxFrame %d: want 64 to %d", n, int64(MaxFrameLimit))
		}
		c.maxFrame = n
		return nil
	}
}

func newConfig(workers int, opts []Option) (config, error) {
	c := config{
		workers:      workers,
		prefetch:     -1,
		stdout:       os.Stdout,
		stderr:       os.Stderr,
		startTimeout: 30 * time.Second,
		maxFrame:     DefaultMaxFrame,
	}
	if workers < 0 {
		return c, fmt.Errorf("procpool: %d workers: want 0 (one per CPU) or more", workers)
	}
	if workers == 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return c, err
		}
	}
	if c.path == "" {
		exe, err := os.Executable()
		if err != nil {
			return c, fmt.Errorf("procpool: find own executable: %w", err)
		}
		c.path = exe
	}
	return c, nil
}
