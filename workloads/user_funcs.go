package workloads

import (
	"fmt"

	"github.com/poolbench/poolbench/procpool"
)

// AddUserFuncs makes a workload of every function a program registered
// with procpool itself (procpool.Register, procpool.Func) rather than
// through this package: poolbench's commands, run from that program, then
// list, run and cross-check them as they do the built-in workloads. Each
// task's argument is a line of the run's args file (Options.ArgsFile), as
// procpool.ArgsFromJSON reads it. Its faulty twin is registered too, so
// that --inject applies.
//
// Call it in every process of the program alike, before a re-executed
// child serves its role, so that trials and workers know the same
// workloads; calling it again adds only functions registered since.
func AddUserFuncs() error {
	for _, name := range procpool.Names() {
		mu.RLock()
		_, known := funcs[name]
		mu.RUnlock()
		if known {
			continue
		}
		fn, err := procpool.Lookup(name)
		if err != nil {
			return fmt.Errorf("workloads: %w", err)
		}
		sig, _ := procpool.Signature(name)
		w := Workload{
			Name:         name,
			Doc:          "your function, " + sig + ": each task takes one line of --args-file",
			DefaultSize:  "0",
			ParseSize:    noSize(name, "takes its arguments from --args-file, not a size"),
			Run:          Func(fn),
			TaskArgs:     userArgs(name),
			CheckOptions: checkUserArgs(name),
			OptIn:        true,
			FromArgsFile: true,
		}
		if err := register(w, false); err != nil {
			return err
		}
		if err := RegisterFunc(FaultyName(name), faulty(name, w.Run)); err != nil {
			return err
		}
	}
	return nil
}

// noSize refuses a task size: a user function's tasks are its args file's
// lines.
// noSize is the ParseSize of a workload that has no task size: only its
// default, "0", is accepted, so that a size given for it is pointed out
// (why says what the workload does instead) rather than ignored.
func noSize(name, why string) func(string) (uint64, error) {
	return func(s string) (uint64, error) {
		if s != "0" {
			return 0, fmt.Errorf("--task-size %q: %s %s", s, name, why)
		}
		return 0, nil
	}
}

func checkUserArgs(name string) func(Options) error {
	return func(o Options) error {
		if o.ArgsFile == "" {
			return fmt.Errorf("--workload %s needs --args-file FILE: one JSON value per line, a task each", name)
		}
		_, err := argsFor(name, o.ArgsFile)
		return err
	}
}

// userArgs gives task index the line index modulo the file's length. The
// run checked the file first (checkUserArgs); should it have changed
// since, the task gets no arguments and fails in the function.
func userArgs(name string) func(uint64, Options, int) []byte {
	return func(_ uint64, o Options, index int) []byte {
		args, err := argsFor(name, o.ArgsFile)
		if err != nil || len(args) == 0 {
			return nil
		}
		return args[index%len(args)]
	}
}
