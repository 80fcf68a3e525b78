package harness

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// ErrNothingMeasured is returned, with the run, when every task of every
// trial failed: the run holds figures of failure only, with no throughput,
// speedup or verdict to give, as a command that always fails gives a
// timer nothing to time.
var ErrNothingMeasured = errors.New("nothing measured")

// checkMeasured says why a run whose every result failed throughout
// measured nothing: its error kinds, and the first error a task gave.
func checkMeasured(run *results.Run) error {
	if len(run.Results) == 0 {
		return nil
	}
	kinds := map[string]int{}
	var sample string
	for i := range run.Results {
		r := &run.Results[i]
		if !stats.AllFailed(r) {
			return nil
		}
		for k, n := range r.ErrorKinds {
			kinds[k] += n
		}
		if sample == "" && len(r.ErrorSamples) > 0 {
			sample, _, _ = strings.Cut(r.ErrorSamples[0], "\n")
		}
	}
	var counts []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		counts = append(counts, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	var detail string
	if len(counts) > 0 {
		detail = " (" + strings.Join(counts, ", ") + ")"
	}
	if sample != "" {
		detail += "; the first: " + sample
	}
	return fmt.Errorf("%w: every task failed in every strategy%s", ErrNothingMeasured, detail)
}
