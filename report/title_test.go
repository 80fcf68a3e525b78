package report

import (
	"testing"

	"github.com/poolbench/poolbench/results"
)

// TestWorkloadTitle: a table's title says what each task was given: its
// size, or for payload the bytes it moves and for exec the command; never
// the "size 0" of a workload that takes none.
func TestWorkloadTitle(t *testing.T) {
	rs := []*results.Result{{Tasks: 20, Repeats: 3}}
	for _, c := range []struct {
		wl   string
		cfg  results.Config
		want string
	}{
		{"cpu", results.Config{TaskSize: map[string]string{"cpu": "100k"}}, "cpu · 20 tasks · size 100k · 3 trials each"},
		{"noop", results.Config{TaskSize: map[string]string{"noop": "0"}}, "noop · 20 tasks · 3 trials each"},
		{"payload", results.Config{TaskSize: map[string]string{"payload": "0"}, Payload: "in=1048576,out=1024"}, "payload · 20 tasks · 1.000 MiB in, 1.000 KiB out · 3 trials each"},
		{"payload", results.Config{Payload: "garbled"}, "payload · 20 tasks · payload garbled · 3 trials each"},
		{"exec", results.Config{TaskSize: map[string]string{"exec": "0"}, Cmd: "gzip -9 < data"}, `exec · 20 tasks · command "gzip -9 < data" · 3 trials each`},
	} {
		if got := workloadTitle(&results.Run{Config: c.cfg}, c.wl, rs); got != c.want {
			t.Errorf("%s: %q, want %q", c.wl, got, c.want)
		}
	}
}
