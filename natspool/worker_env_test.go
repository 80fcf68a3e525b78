package natspool

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestWorkerEnvironGOMAXPROCS(t *testing.T) {
	for _, tc := range []struct {
		name  string
		outer string // GOMAXPROCS in this process's environment, "" for none
		extra []string
		want  []string // the GOMAXPROCS entries of the worker's environment
	}{
		{name: "none set", want: []string{"GOMAXPROCS=1"}},
		{name: "set by Env", extra: []string{"GOMAXPROCS=4"}, want: []string{"GOMAXPROCS=4"}},
		{name: "set here", outer: "3", want: []string{"GOMAXPROCS=3"}},
		{name: "set both", outer: "3", extra: []string{"GOMAXPROCS=2"}, want: []string{"GOMAXPROCS=3", "GOMAXPROCS=2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// t.Setenv restores the variable when the test ends, unset
			// here included.
			t.Setenv("GOMAXPROCS", tc.outer)
			if tc.outer == "" {
				os.Unsetenv("GOMAXPROCS")
			}
			var got []string
			for _, kv := range workerEnviron("{}", tc.extra) {
				if strings.HasPrefix(kv, "GOMAXPROCS=") {
					got = append(got, kv)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("GOMAXPROCS entries %q, want %q", got, tc.want)
			}
		})
	}
}

// A local worker runs with one P unless told otherwise, as the function
// it runs sees it.
func TestWorkersRunWithOneP(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"default", nil, "1"},
		{"Env", []Option{Env("GOMAXPROCS=2")}, "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, 1, tc.opts...)
			r, err := p.Apply(context.Background(), Task{Func: "test.gomaxprocs"})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(r.Value); got != tc.want {
				t.Errorf("the worker's GOMAXPROCS is %s, want %s", got, tc.want)
			}
		})
	}
}
