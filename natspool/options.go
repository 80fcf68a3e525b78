package natspool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Option configures a Pool.
type Option func(*config) error

type config struct {
	workers      int // local worker processes
	maxTasks     int
	url          string
	listen       string
	initFn       string
	initArgs     []byte
	prefetch     int // < 0: adaptive
	maxDeliver   int
	heartbeat    time.Duration
	path         string
	args         []string
	env          []string
	stdout       io.Writer
	stderr       io.Writer
	startTimeout time.Duration
	taskTimeout  time.Duration
	serverGrace  time.Duration
}

// URL makes the pool use the NATS server (or cluster) at url rather than
// start its own.
func URL(url string) Option {
	return func(c *config) error {
		if url == "" {
			return errors.New("natspool: URL needs a server address")
		}
		c.url = url
		return nil
	}
}

// Listen makes the embedded server listen on addr (host:port) rather than
// on a random loopback port, so that workers on other hosts can join.
func Listen(addr string) Option {
	return func(c *config) error {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("natspool: Listen %q: %w", addr, err)
		}
		c.listen = addr
		return nil
	}
}

// MaxTasksPerChild retires a local worker after n tasks and starts a fresh
// one, as procpool's and Python's maxtasksperchild do, to bound what a
// leaky task can accumulate. Workers that joined from other hosts are not
// retired: a pool sees a remote worker go only when it falls silent, and
// only then asks its host for another.
func MaxTasksPerChild(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("natspool: MaxTasksPerChild %d: want at least 1", n)
		}
		c.maxTasks = n
		return nil
	}
}

// Initializer runs the registered function fn with args once in every worker
// before it takes tasks. A worker whose initializer fails takes none. The
// pool keeps its own copy of args, for the workers that join later.
func Initializer(fn string, args []byte) Option {
	return func(c *config) error {
		if fn == "" {
			return errors.New("natspool: Initializer needs a function name")
		}
		c.initFn, c.initArgs = fn, bytes.Clone(args)
		return nil
	}
}

// Prefetch sets how many tasks may wait at a worker behind the one it runs.
// The default adapts to the tasks' run time: a worker holds about a
// millisecond of work, so tasks shorter than that are pipelined and longer
// ones go only to a worker with a free slot.
func Prefetch(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("natspool: Prefetch %d: want 0 or more", n)
		}
		c.prefetch = n
		return nil
	}
}

// MaxDeliver bounds how many times a task is handed to a worker when the
// workers holding it are lost (default 2: one redelivery). The task then
// fails with a WorkerLostError naming the last worker. A worker lost with
// several tasks counts against each, since any may have run (and any may
// have killed it); each then runs alone, so that a loss is its own.
// MaxDeliver(1) makes a task run at most once.
func MaxDeliver(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("natspool: MaxDeliver %d: want at least 1", n)
		}
		c.maxDeliver = n
		return nil
	}
}

// Heartbeat sets how often workers and owner tell each other they are
// alive (default 250ms). A remote worker silent for four of them (and at
// least a second) is lost and its tasks are redelivered; a remote worker
// whose owner is silent that long exits.
func Heartbeat(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond {
			return fmt.Errorf("natspool: Heartbeat %v: want at least 1ms", d)
		}
		c.heartbeat = d
		return nil
	}
}

// Command sets the local worker executable and its arguments. The default
// is the running executable, which must call procpool.ServeRole first thing.
// A program that imports natsworker rather than natspool serves the role
// too, without the embedded server's code and start-up: a lean worker.
func Command(path string, args ...string) Option {
	return func(c *config) error {
		if path == "" {
			return errors.New("natspool: Command needs a path")
		}
		c.path, c.args = path, args
		return nil
	}
}

// Env adds environment variables (KEY=value) to the local workers'.
func Env(kv ...string) Option {
	return func(c *config) error { c.env = append(c.env, kv...); return nil }
}

// WorkerOutput sets where the local workers' standard output and error go.
func WorkerOutput(stdout, stderr io.Writer) Option {
	return func(c *config) error { c.stdout, c.stderr = stdout, stderr; return nil }
}

// StartTimeout bounds a local worker's start, to its ready message
// (default 30s).
func StartTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("natspool: StartTimeout %v: want a positive duration", d)
		}
		c.startTimeout = d
		return nil
	}
}

// ServerGrace bounds how long a pool on an external server (URL) waits for
// that server to come back when it goes away (default 10s): meanwhile it
// reconnects and its tasks wait; then its tasks not done, and later
// submissions, fail with ErrServerLost.
func ServerGrace(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("natspool: ServerGrace %v: want a positive duration", d)
		}
		c.serverGrace = d
		return nil
	}
}

// TaskTimeout stops a worker whose task runs longer than d, seen through
// its heartbeats (so within a heartbeat of d); the task fails with a
// TimeoutError cause and is not redelivered. Zero, the default, waits forever.
func TaskTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("natspool: TaskTimeout %v: want 0 or a positive duration", d)
		}
		c.taskTimeout = d
		return nil
	}
}

func newConfig(workers int, opts []Option) (config, error) {
	c := config{
		workers:      workers,
		prefetch:     -1,
		maxDeliver:   2,
		heartbeat:    250 * time.Millisecond,
		stdout:       os.Stdout,
		stderr:       os.Stderr,
		startTimeout: 30 * time.Second,
		serverGrace:  10 * time.Second,
	}
	if workers < 0 {
		return c, fmt.Errorf("natspool: %d workers: want 0 or more", workers)
	}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return c, err
		}
	}
	if c.url != "" && c.listen != "" {
		return c, errors.New("natspool: URL and Listen exclude each other: a pool either uses a server or runs one")
	}
	if c.path == "" && workers > 0 {
		exe, err := os.Executable()
		if err != nil {
			return c, fmt.Errorf("natspool: find own executable: %w", err)
		}
		c.path = exe
	}
	return c, nil
}
