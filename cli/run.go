package cli

import (
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/poolbench/poolbench/claims"
	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/workloads"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type runOptions struct {
	workload       string
	strategies     []string
	tasks          int
	workers        int
	taskSize       string
	repeat         int
	warmup         int
	sampleInterval time.Duration
	out            string
	format         string
	preset         string
	inject         string
	seed           int64
	taskTimeout    time.Duration
	force          bool
	// allowOversubscribe lifts the bound on processes started at once.
	allowOversubscribe bool
	// maxProcesses caps process-per-task's processes at once.
	maxProcesses int
	// chunkSize is how many tasks the *-pool-map strategies send at once.
	chunkSize int
	py        pythonOptions
	wl        workloadOptions
	nats      natsOptions
}

func newRunCmd() *cobra.Command {
	o := runOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run every strategy on a workload and report what each costs",
		Example: `  poolbench run --workload cpu
  poolbench run --workload all --repeat 5
  poolbench run --workload io --strategies serial,pool-apply-async --task-size 20ms
  poolbench run --workload all --task-size cpu=100k,io=10ms --format markdown
  poolbench run --preset article`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	o.addMeasureFlags(f)
	f.IntVar(&o.workers, "workers", harness.DefaultWorkers, "pool size for goroutine-pool and the process pools")
	f.StringSliceVar(&o.strategies, "strategies", nil, "strategies to run, comma-separated, or a group: go (the default), py, all (see poolbench list)")
	f.StringVar(&o.preset, "preset", "", "article: the article's pool example (100 tasks of 50 ms, a pool of 10), run live and then measured; flags given override its settings")
	f.StringVar(&o.inject, "inject", "", "inject faults, a probability per task: crash=P,error=P,hang=P")
	f.Int64Var(&o.seed, "seed", 1, "seed choosing which tasks --inject fails, the payload bytes and the skewed task lengths (the same in every strategy)")
	f.DurationVar(&o.taskTimeout, "task-timeout", 0, "end a task that runs longer than this (0: never); pools kill its worker")
	o.wl.addFlags(f, nil)
	return cmd
}

// addMeasureFlags declares the flags run and sweep share: what to measure,
// how often, and where the results go.
func (o *runOptions) addMeasureFlags(f *pflag.FlagSet) {
	f.StringVar(&o.workload, "workload", "", "workload to run: "+strings.Join(workloads.Names(), "|")+"|all (or a comma list)")
	f.IntVar(&o.tasks, "tasks", harness.DefaultTasks, "tasks per trial")
	f.StringVar(&o.taskSize, "task-size", "", "task size: cpu rounds (100k), io duration (50ms); with several workloads, cpu=250k,io=50ms")
	f.IntVar(&o.repeat, "repeat", harness.DefaultRepeat, "measured trials of each strategy (and pool size)")
	f.IntVar(&o.warmup, "warmup", harness.DefaultWarmup, "discarded warm-up trials of each strategy (and pool size)")
	f.DurationVar(&o.sampleInterval, "sample-interval", harness.DefaultInterval, "how often each trial's process tree is sampled")
	f.StringVar(&o.out, "out", "", "folder for results.json, charts and report.html (default: a new folder under "+defaultOutRoot+"/)")
	f.BoolVar(&o.force, "force", false, "replace an earlier run in --out (its results, journal, charts and report are removed first)")
	f.BoolVar(&o.allowOversubscribe, "allow-oversubscribe", false, "start more processes at once than this machine's limits advise (128 per CPU, half of ulimit -u at CPUs+10 threads a process)")
	f.IntVar(&o.chunkSize, "chunk-size", 0, "the *-pool-map strategies send each worker this many tasks at a time, as Python's chunksize (0: each pool's default: 1 for Go's, CPython's own)")
	f.IntVar(&o.maxProcesses, "max-processes", 0, "process-per-task runs at most this many processes at once (0: this machine's limit, or all at once with --allow-oversubscribe)")
	f.StringVar(&o.format, "format", "table", "what to print on stdout: table|json|csv|markdown|benchstat")
	o.py.addFlags(f, true)
	o.nats.addFlags(f)
}

// parseWorkloads reads --workload: one name, a comma list, or all.
func parseWorkloads(s string) ([]string, error) {
	if s == "all" {
		return workloads.Standard(), nil
	}
	var out []string
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if _, err := workloads.Lookup(name); err != nil {
			return nil, usagef("--workload %q: unknown workload (have %s, all)", name, strings.Join(workloads.Names(), ", "))
		}
		out = append(out, name)
	}
	if err := noDuplicates("--workload", out); err != nil {
		return nil, err
	}
	return out, nil
}

// noDuplicates refuses a list naming one thing twice: it would be measured
// twice and shown as two results of the same thing. An empty item (two
// commas in a row) is refused as such.
func noDuplicates[T comparable](flag string, list []T) error {
	var zero T
	for i, x := range list {
		if x == zero {
			return usagef("%s has an empty item (two commas in a row, or one at an end)", flag)
		}
		if slices.Contains(list[:i], x) {
			return usagef("%s lists %v twice", flag, x)
		}
	}
	return nil
}

// parseTaskSizes reads --task-size: a bare value for a single workload, or
// workload=value pairs.
func parseTaskSizes(s string, wls []string) (map[string]string, error) {
	sizes := map[string]string{}
	if s == "" {
		return sizes, nil
	}
	if !strings.Contains(s, "=") {
		if len(wls) != 1 {
			return nil, usagef("--task-size %q: with several workloads, give one per workload, e.g. cpu=250k,io=50ms", s)
		}
		sizes[wls[0]] = s
		return sizes, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, usagef("--task-size %q: want workload=size pairs, e.g. cpu=250k,io=50ms", s)
		}
		sizes[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return sizes, nil
}

func (o *runOptions) config() (harness.Config, error) {
	if o.workload == "" {
		return harness.Config{}, usagef("--workload is required: one of %s, all", strings.Join(workloads.Names(), ", "))
	}
	wls, err := parseWorkloads(o.workload)
	if err != nil {
		return harness.Config{}, err
	}
	if err := noDuplicates("--strategies", o.strategies); err != nil {
		return harness.Config{}, err
	}
	sizes, err := parseTaskSizes(o.taskSize, wls)
	if err != nil {
		return harness.Config{}, err
	}
	faults, err := workloads.ParseFaults(o.inject, o.seed)
	if err != nil {
		return harness.Config{}, usageError{err}
	}
	cfg := harness.Config{
		Faults:             faults,
		TaskTimeout:        o.taskTimeout,
		Workloads:          wls,
		Strategies:         o.strategies,
		Tasks:              o.tasks,
		Workers:            o.workers,
		TaskSizes:          sizes,
		Repeat:             o.repeat,
		Warmup:             o.warmup,
		SampleInterval:     o.sampleInterval,
		AllowOversubscribe: o.allowOversubscribe,
		MaxProcesses:       o.maxProcesses,
		ChunkSize:          o.chunkSize,
	}
	o.py.apply(&cfg)
	if err := o.wl.apply(&cfg, o.seed); err != nil {
		return harness.Config{}, err
	}
	o.nats.apply(&cfg)
	return cfg, nil
}

func (o *runOptions) run(cmd *cobra.Command) error {
	if err := applyPreset(cmd, o); err != nil {
		return err
	}
	cfg, folder, err := o.prepare(cmd, "run", nil)
	if err != nil {
		return err
	}
	defer folder.release()
	if o.preset == "article" {
		if err := o.articleExamples(cmd); err != nil {
			folder.discardJournal()
			return err
		}
	}
	return measureAndReport(cmd, folder, o.printer(), func(ctx context.Context, progress func(harness.Progress)) (*results.Run, error) {
		run, err := harness.Run(ctx, cfg, progress)
		if err == nil {
			// The article's claims this run has the figures for.
			run.Claims = claims.Evaluate(run)
		}
		return run, err
	})
}

// articleExamples runs the article's example live, in Go then in CPython,
// under the same signal handling as the measurement: a Ctrl-C during it
// stops its pools and leaves no journal or lock behind, and exits 130.
func (o *runOptions) articleExamples(cmd *cobra.Command) error {
	in := watchInterrupts(cmd.Context())
	defer in.stop()
	// It goes where it does not spoil a machine-readable format on stdout.
	w := cmd.OutOrStdout()
	if o.format != "table" {
		w = cmd.ErrOrStderr()
	}
	took, err := runArticleExample(in.ctx, w)
	if err == nil {
		err = runArticleExampleInCPython(in.ctx, w, o.py.python, took)
	}
	return in.err(err)
}

// printer prints a run in --format.
func (o *runOptions) printer() printer {
	return func(w io.Writer, run *results.Run) error { return printRun(w, o.format, run) }
}

// prepare turns the flags into a validated harness configuration (a sweep
// when sizes is set), then claims the output folder and starts the
// journal, in that order: bad input leaves nothing behind.
func (o *runOptions) prepare(cmd *cobra.Command, command string, sizes []int) (harness.Config, *runFolder, error) {
	cfg, err := o.config()
	if err != nil {
		return cfg, nil, err
	}
	cfg.WorkerSizes = sizes
	if err := checkFormat(o.format); err != nil {
		return cfg, nil, err
	}
	if err := validate(cmd, cfg); err != nil {
		return cfg, nil, err
	}
	folder, err := claimFolder(o.out, command, o.force)
	if err != nil {
		return cfg, nil, err
	}
	if cfg.Journal, err = folder.startJournal(); err != nil {
		folder.release()
		return cfg, nil, err
	}
	return cfg, folder, nil
}

// validate checks cfg as a run would, under signal handling: the python3
// it probes, and a --nats server it connects to, take a moment, and a
// Ctrl-C meanwhile stops them and exits 130, with nothing left behind.
func validate(cmd *cobra.Command, cfg harness.Config) error {
	return interruptibly(cmd, func(ctx context.Context) error { return harness.Validate(ctx, cfg) })
}

// measureAndReport runs measure under signal handling and a progress bar,
// then saves and prints whatever it measured (marked partial if cut
// short).
func measureAndReport(cmd *cobra.Command, folder *runFolder, print printer, measure func(context.Context, func(harness.Progress)) (*results.Run, error)) error {
	in := watchFolderInterrupts(cmd, folder)
	defer in.stop()
	bar := newProgressBar(cmd.ErrOrStderr())
	run, runErr := measure(in.ctx, bar.update)
	bar.finish()
	if run == nil {
		folder.discardJournal()
		return in.err(runErr)
	}
	return folder.save(cmd.OutOrStdout(), cmd.ErrOrStderr(), run, in.err(runErr), print)
}
