package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/poolbench/poolbench/natspool"
	"github.com/poolbench/poolbench/pyref"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

// Defaults: 100 tasks and a pool of 10, the article's proportions, sized so
// that `run --workload cpu` takes well under a minute on two cores.
const (
	DefaultTasks    = 100
	DefaultWorkers  = 10
	DefaultRepeat   = 3
	DefaultWarmup   = 1
	DefaultInterval = 10 * time.Millisecond
)

// Config is the plan of a run.
type Config struct {
	Workloads  []string
	Strategies []string
	Tasks      int
	// Workers is the pool size for the pool strategies.
	Workers int
	// WorkerSizes, when set, runs every strategy at each pool size (a
	// sweep) instead of at Workers.
	WorkerSizes []int
	// TaskSizes maps a workload to its --task-size; absent ones use the
	// workload's default.
	TaskSizes map[string]string
	// Options are the workload options (payload sizes, skew, seed,
	// command) the workloads that read them take.
	Options        workloads.Options
	Repeat         int
	Warmup         int
	SampleInterval time.Duration
	// Faults injects failures into tasks; TaskTimeout bounds each task.
	Faults      workloads.Faults
	TaskTimeout time.Duration
	// Python is the interpreter for the py-* strategies (python3 on PATH if
	// empty) and PyStartMethod multiprocessing's start method for them
	// (fork, forkserver, spawn; the interpreter's default if empty).
	Python        string
	PyStartMethod string
	// NATSURL is an existing server for the nats-* strategies; NATSListen,
	// else, the address their embedded server listens on (a random
	// loopback port if empty), so that workers on other hosts can join.
	NATSURL    string
	NATSListen string

	// Executable re-executed for each trial; the running program if empty.
	Executable string
	// TaskOutput receives what tasks and workers print; os.Stderr if nil.
	TaskOutput io.Writer
	// AllowOversubscribe lets a trial start more processes at once than
	// the machine's limits advise (processLimit).
	AllowOversubscribe bool
	// MaxProcesses bounds how many processes process-per-task runs at
	// once; 0 is this machine's limit (processLimit), or no bound at all
	// with AllowOversubscribe.
	MaxProcesses int
	// ChunkSize is how many tasks the *-pool-map strategies send a worker
	// at a time; 0 is each pool's own default.
	ChunkSize int
	// Journal, if set, receives each trial as it finishes, so that a run
	// that dies before its results are saved loses nothing it measured.
	Journal *Journal
	// Command is the run's command in results.json and its journal: "run"
	// (or "sweep", with WorkerSizes) when empty; "claims" for the claims'
	// trials, whose journal goes on past Run (Journal.Hold).
	Command string
}

// ConfigError is an invalid configuration: the caller's input, not a
// failure of the run.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// IsConfigError reports whether err is, or wraps, a ConfigError.
func IsConfigError(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce)
}

func configErr(format string, args ...any) error {
	return &ConfigError{fmt.Errorf(format, args...)}
}

// plan is a validated Config.
type plan struct {
	Config
	workloads  []workloads.Workload
	sizes      map[string]uint64
	strategies []strategies.Strategy
	// python is the interpreter found for the py-* strategies, startMethod
	// the start method they use; notes say what was skipped and why.
	python      pyref.Interpreter
	startMethod string
	notes       []string
	// cgroupErr says why trials run without a memory cgroup of their
	// own, once the first attempt failed.
	cgroupErr    error
	maxProcesses int // process-per-task's cap (capProcesses); 0: none
	// workerBin is poolbench-worker beside Executable when it is of the
	// same build (findWorkerBinary), else "" and workerBinWhy says why.
	workerBin, workerBinWhy string
	// natsWorkerBin is poolbench-natsworker, found the same way, for the
	// NATS pools.
	natsWorkerBin, natsWorkerBinWhy string
	usableCPUs, hostCPUs            int // set by the first trial
	// cpus is the run's GOMAXPROCS, which its results' ideal times and
	// efficiencies follow: this process's for a run, the journal's for
	// one rebuilt from it, perhaps on another machine.
	cpus int
}

func (c Config) validate(ctx context.Context) (*plan, error) {
	p := &plan{Config: c, sizes: map[string]uint64{}, cpus: runtimeCPUs()}
	if len(c.Workloads) == 0 {
		return nil, configErr("no workload (have %v)", workloads.Names())
	}
	for _, name := range c.Workloads {
		w, err := workloads.Lookup(name)
		if err != nil {
			return nil, &ConfigError{err}
		}
		size := w.DefaultSize
		if s, ok := c.TaskSizes[name]; ok {
			size = s
		}
		n, err := w.ParseSize(size)
		if err != nil {
			return nil, &ConfigError{err}
		}
		p.workloads = append(p.workloads, w)
		p.sizes[name] = n
	}
	for name := range c.TaskSizes {
		if !slices.Contains(c.Workloads, name) {
			return nil, configErr("--task-size given for %s, which this run does not measure", name)
		}
	}
	if err := p.chooseStrategies(ctx); err != nil {
		return nil, err
	}
	if err := c.validateNATS(); err != nil {
		return nil, err
	}
	if (c.NATSURL != "" || c.NATSListen != "") && !slices.ContainsFunc(p.Strategies, strategies.IsNATS) {
		flag := "--nats"
		if c.NATSListen != "" {
			flag = "--listen"
		}
		return nil, configErr("%s applies to the nats-* strategies, none of which this run measures", flag)
	}
	for _, name := range p.Strategies {
		s, err := strategies.Lookup(name)
		if err != nil {
			return nil, &ConfigError{err}
		}
		p.strategies = append(p.strategies, s)
	}
	if len(c.WorkerSizes) > 0 && !p.sweepsAPool() {
		return nil, configErr("a sweep measures each strategy at each pool size, and none of %s keeps a pool on %s: add a pool strategy (see poolbench list)",
			strings.Join(p.Strategies, ", "), strings.Join(c.Workloads, ", "))
	}
	if err := p.checkApplicable(); err != nil {
		return nil, err
	}
	if err := p.checkNATSMessages(); err != nil {
		return nil, err
	}
	switch {
	case c.Tasks < 1:
		return nil, configErr("--tasks %d: want at least 1", c.Tasks)
	case c.Workers < 1 && len(c.WorkerSizes) == 0:
		return nil, configErr("--workers %d: want at least 1", c.Workers)
	case c.Repeat < 1:
		return nil, configErr("--repeat %d: want at least 1", c.Repeat)
	case c.Warmup < 0:
		return nil, configErr("--warmup %d: want 0 or more", c.Warmup)
	case c.ChunkSize < 0:
		return nil, configErr("--chunk-size %d: want at least 1 (0 for each pool's default)", c.ChunkSize)
	case c.TaskTimeout < 0:
		return nil, configErr("--task-timeout %v: want 0 (none) or a positive duration", c.TaskTimeout)
	case c.Faults.Hang > 0 && c.TaskTimeout == 0:
		return nil, configErr("--inject hang needs --task-timeout: a hung task is only ended by one")
	case c.SampleInterval < time.Millisecond:
		return nil, configErr("--sample-interval %v: want at least 1ms", c.SampleInterval)
	}
	for _, n := range c.WorkerSizes {
		if n < 1 {
			return nil, configErr("--workers %d: want at least 1", n)
		}
	}
	if err := p.checkProcessCounts(); err != nil {
		return nil, err
	}
	if err := p.capProcesses(); err != nil {
		return nil, err
	}
	if c.ChunkSize != 0 && !p.mapsInChunks() {
		return nil, configErr("--chunk-size applies to the *-pool-map strategies, none of which this run measures")
	}
	// Last of the checks, as the only one that waits on the network.
	if err := p.probeNATSServer(); err != nil {
		return nil, err
	}
	if p.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("harness: find own executable: %w", err)
		}
		p.Executable = exe
	}
	p.workerBin, p.workerBinWhy = findWorkerBinary(p.Executable, WorkerBinaryName)
	p.natsWorkerBin, p.natsWorkerBinWhy = findWorkerBinary(p.Executable, NATSWorkerBinaryName)
	if p.TaskOutput == nil {
		p.TaskOutput = os.Stderr
	}
	return p, nil
}

// sizesAsGiven is the task size of each workload as the user would write it.
func (p *plan) sizesAsGiven() map[string]string {
	m := map[string]string{}
	for _, w := range p.workloads {
		if s, ok := p.TaskSizes[w.Name]; ok {
			m[w.Name] = s
		} else {
			m[w.Name] = w.DefaultSize
		}
	}
	return m
}

// Validate checks cfg as Run would, without measuring anything. It runs
// the python3 the py-* strategies would (its version and start methods),
// killed if ctx ends.
func Validate(ctx context.Context, cfg Config) error {
	_, err := cfg.validate(ctx)
	return err
}

// validateNATS checks the nats-* strategies' server options.
func (c Config) validateNATS() error {
	switch {
	case c.NATSURL != "" && c.NATSListen != "":
		return configErr("--nats and --listen exclude each other: the nats-* strategies either use a server or run one")
	case c.NATSListen != "":
		if _, _, err := natspool.ParseListen(c.NATSListen); err != nil {
			return configErr("--listen %q: want host:port, e.g. 0.0.0.0:4222", c.NATSListen)
		}
	case c.NATSURL != "":
		if err := natspool.CheckURL(c.NATSURL); err != nil {
			return configErr("--nats %q: want a URL such as nats://10.0.0.1:4222", c.NATSURL)
		}
	}
	return nil
}

// sweepsAPool reports whether some strategy that keeps a pool runs on some
// workload of the plan: a strategy a workload skips sweeps nothing.
func (p *plan) sweepsAPool() bool {
	for _, w := range p.workloads {
		for _, s := range p.strategies {
			if ok, _ := applies(w, s); ok && s.Traits().UsesPoolSize {
				return true
			}
		}
	}
	return false
}
