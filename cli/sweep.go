package cli

import (
	"context"
	"strconv"
	"strings"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/results"
	"github.com/spf13/cobra"
)

// defaultSweepStrategies are the strategies whose pool size matters, plus
// serial as the baseline for speedups.
var defaultSweepStrategies = []string{"serial", "goroutine-pool", "pool-apply", "pool-apply-async", "pool-map"}

func newSweepCmd() *cobra.Command {
	o := runOptions{}
	var sizes string
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Measure the pool strategies at each pool size and find the knee",
		Long: `sweep runs goroutine-pool and the process pools at each --workers size (serial
and other strategies that ignore the pool size run once, as a baseline), and
reports wall time and speedup against pool size with the ideal curve, and the
knee: the smallest pool size within 5% of the best time.`,
		Example: `  poolbench sweep --workload io --workers 1,2,4,8,16,32
  poolbench sweep --workload cpu --workers 1,2,4 --strategies serial,pool-apply-async`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			workers, err := parseSizes(sizes)
			if err != nil {
				return err
			}
			if len(o.strategies) == 0 {
				o.strategies = defaultSweepStrategies
			}
			cfg, folder, err := o.prepare(cmd, "sweep", workers)
			if err != nil {
				return err
			}
			defer folder.release()
			return measureAndReport(cmd, folder, o.printer(), func(ctx context.Context, progress func(harness.Progress)) (*results.Run, error) {
				return harness.Run(ctx, cfg, progress)
			})
		},
	}
	f := cmd.Flags()
	o.addMeasureFlags(f)
	f.StringVar(&sizes, "workers", "1,2,4,8,16,32", "pool sizes to measure, comma-separated")
	f.StringSliceVar(&o.strategies, "strategies", nil, "strategies, comma-separated (default "+strings.Join(defaultSweepStrategies, ",")+")")
	o.wl.addFlags(f, &o.seed)
	// runOptions.config reads these; a sweep has no fault injection.
	o.workers = 1
	return cmd
}

// parseSizes reads a comma list of pool sizes.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, usagef("--workers %q: want positive pool sizes separated by commas, e.g. 1,2,4,8", s)
		}
		out = append(out, n)
	}
	if err := noDuplicates("--workers", out); err != nil {
		return nil, err
	}
	return out, nil
}
