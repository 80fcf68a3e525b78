package harness

import (
	"errors"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// A run is said to have measured nothing only when every trial of every
// result failed throughout; the error names the kinds and a first error.
func TestCheckMeasured(t *testing.T) {
	failed := func(name string, kinds map[string]int, samples ...string) results.Result {
		return results.Result{Strategy: name, Tasks: 4, Errors: 4, ErrorKinds: kinds, ErrorSamples: samples,
			Trials: []results.Trial{{Errors: 4}, {Errors: 4}}}
	}
	half := results.Result{Strategy: "goroutines", Tasks: 4, Errors: 2, Trials: []results.Trial{{Errors: 4}, {Errors: 2}}}
	for _, c := range []struct {
		name    string
		results []results.Result
		want    string // "" for no error
	}{
		{"no results", nil, ""},
		{"one trial had a success", []results.Result{failed("serial", map[string]int{"crash": 8}), half}, ""},
		{"all failed", []results.Result{
			failed("serial", map[string]int{"crash": 6, "timeout": 2}, "worker 12 died: signal: killed\nmore"),
			failed("goroutines", map[string]int{"crash": 8}, "panic: injected crash"),
		}, "nothing measured: every task failed in every strategy (crash 14, timeout 2); the first: worker 12 died: signal: killed"},
		{"all failed, no kinds or samples", []results.Result{failed("serial", nil)}, "nothing measured: every task failed in every strategy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkMeasured(&results.Run{Results: c.results})
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("checkMeasured: %v, want nil", err)
			case c.want != "" && (!errors.Is(err, ErrNothingMeasured) || err.Error() != c.want):
				t.Fatalf("checkMeasured: %v, want %q", err, c.want)
			}
		})
	}
}
