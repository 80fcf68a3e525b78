package cli

import (
	"github.com/poolbench/poolbench/harness"
	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "poolbench",
		Short: "Measure what each way of parallelising work really costs",
		Long: `poolbench runs the same tasks serially, on goroutines, in one OS process
per task and in a process pool (apply, apply_async, map), on CPU-bound,
I/O-bound and empty workloads, and measures wall time, CPU, memory and
process-spawn overhead, each trial in a fresh process.`,
		Version:       harness.Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newListCmd(), newRunCmd(), newSweepCmd(), newReportCmd(), newCompareCmd(), newLogCmd(), newClaimsCmd(), newWorkerCmd())
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	}
	return root
}

// argsUsage wraps a cobra positional-argument check so that its error is a
// usage error (exit status 2).
func argsUsage(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
