package cli

import (
	"path/filepath"
	"slices"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/workloads"
	"github.com/spf13/pflag"
)

// workloadOptions are the flags of the workloads that read more than a task
// size: payload, skewed, exec and a program's own functions (--args-file).
// Shared by run and sweep.
type workloadOptions struct {
	payload  string
	skew     float64
	cmd      string
	cmdArgv  string
	argsFile string
	flags    *pflag.FlagSet
}

// addFlags registers the flags; seed, when not nil, also registers --seed
// (run has its own, shared with --inject).
func (o *workloadOptions) addFlags(f *pflag.FlagSet, seed *int64) {
	o.flags = f
	f.StringVar(&o.payload, "payload", "", "bytes each payload task receives and returns (default 64KiB), or in=1MiB,out=1KiB")
	f.Float64Var(&o.skew, "skew", workloads.DefaultSkew, "sigma of skewed's log-normal task lengths (0: every task the mean)")
	f.StringVar(&o.cmd, "cmd", "", "command each exec task runs through sh -c; {} is replaced by the task index")
	f.StringVar(&o.cmdArgv, "cmd-argv", "", "command each exec task runs directly, split on blanks (no shell, no quoting); {} is the task index")
	f.StringVar(&o.argsFile, "args-file", "", "arguments of a program's own function, one JSON value per line, a task each; --tasks defaults to the number of lines")
	if seed != nil {
		f.Int64Var(seed, "seed", 1, "seed of the payload bytes and the skewed task lengths (the same tasks in every strategy)")
	}
}

// apply puts the options into cfg. A flag for a workload the run does not
// measure is bad input, as --task-size for one is.
func (o *workloadOptions) apply(cfg *harness.Config, seed int64) error {
	for flag, wl := range map[string]string{
		"payload": workloads.PayloadName, "skew": workloads.SkewedName,
		"cmd": workloads.ExecName, "cmd-argv": workloads.ExecName,
	} {
		if o.flags != nil && o.flags.Changed(flag) && !slices.Contains(cfg.Workloads, wl) {
			return usagef("--%s is for the %s workload, which this run does not measure", flag, wl)
		}
	}
	if o.cmd != "" && o.cmdArgv != "" {
		return usagef("--cmd and --cmd-argv: give one or the other")
	}
	in, out, err := workloads.ParsePayload(o.payload)
	if err != nil {
		return usageError{err}
	}
	cfg.Options = workloads.Options{Seed: seed, PayloadIn: in, PayloadOut: out, Skew: o.skew, Cmd: o.cmd}
	if o.cmdArgv != "" {
		cfg.Options.Cmd, cfg.Options.CmdArgv = o.cmdArgv, true
	}
	return o.applyArgsFile(cfg)
}

// applyArgsFile puts --args-file into cfg, for the program's own functions
// (workloads.AddUserFuncs) the run measures, and makes their lines the
// task count unless --tasks is given: task i takes line i modulo the
// number of lines.
func (o *workloadOptions) applyArgsFile(cfg *harness.Config) error {
	fromFile := false
	for _, name := range cfg.Workloads {
		if w, err := workloads.Lookup(name); err == nil && w.FromArgsFile {
			fromFile = true
		}
	}
	if o.argsFile == "" {
		return nil // a function run without it is refused by its own check
	}
	if !fromFile {
		return usagef("--args-file is for a program's own functions, which this run does not measure")
	}
	path, err := filepath.Abs(o.argsFile)
	if err != nil {
		return usagef("--args-file %s: %v", o.argsFile, err)
	}
	cfg.Options.ArgsFile = path
	n, err := workloads.ArgsFileTasks(path)
	if err != nil {
		return usageError{err}
	}
	if o.flags == nil || !o.flags.Changed("tasks") {
		cfg.Tasks = n
	}
	return nil
}
