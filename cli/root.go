package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/poolbench/poolbench/harness"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newListCmd(), newRunCmd(), newSweepCmd(), newReportCmd(), newCompareCmd(), newLogCmd(), newClaimsCmd(), newWorkerCmd())
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(flagError)
	}
	return root
}

// flagError makes a flag's parse error a usage error (exit status 2),
// without the Go parser's own words: pflag ends "invalid argument "x" for
// "--tasks" flag" with strconv's "strconv.ParseInt: parsing "x": invalid
// syntax", which says nothing the first part did not.
func flagError(_ *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	var num *strconv.NumError
	if !errors.As(err, &bad) || !errors.As(err, &num) {
		return usageError{err}
	}
	var want string
	switch num.Func {
	case "ParseBool":
		want = "true or false"
	case "ParseInt", "ParseUint":
		want = "a whole number"
	default:
		want = "a number"
	}
	if errors.Is(num.Err, strconv.ErrRange) {
		want += " in range"
	}
	head := strings.TrimSuffix(bad.Error(), ": "+bad.Unwrap().Error())
	return usageError{fmt.Errorf("%s: want %s", head, want)}
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
