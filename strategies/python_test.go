package strategies

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

func TestPythonTraits(t *testing.T) {
	if tr := TraitsOf("pool-apply-async"); tr.Language != "" || tr.Baseline != "serial" {
		t.Errorf("pool-apply-async: %+v", tr)
	}
	py, _ := Group("py")
	if len(py) != 6 {
		t.Fatalf("py group: %v", py)
	}
	for _, name := range py {
		tr := TraitsOf(name)
		if tr.Language != "python" || tr.Baseline != "py-serial" {
			t.Errorf("%s: %+v", name, tr)
		}
		if _, err := Lookup(tr.Counterpart); err != nil || IsPython(tr.Counterpart) {
			t.Errorf("%s: counterpart %q is not a Go strategy", name, tr.Counterpart)
		}
		if tr.UsesPoolSize != TraitsOf(tr.Counterpart).UsesPoolSize {
			t.Errorf("%s and %s disagree on using --workers", name, tr.Counterpart)
		}
	}
}

func TestGroups(t *testing.T) {
	all, _ := Group("all")
	goes, _ := Group("go")
	py, _ := Group("py")
	nats, _ := Group("nats")
	if !slices.Equal(all, Names()) || !slices.Equal(goes, Default()) || len(goes)+len(py)+len(nats) != len(all) {
		t.Fatalf("all %v, go %v, py %v, nats %v", all, goes, py, nats)
	}
	for _, n := range nats {
		if !IsNATS(n) {
			t.Errorf("%s in the nats group", n)
		}
	}
	for _, n := range goes {
		if IsPython(n) || IsNATS(n) {
			t.Errorf("%s in the default set", n)
		}
	}
	if _, ok := Group("serial"); ok {
		t.Error("a strategy taken for a group")
	}
}

func TestStallBound(t *testing.T) {
	cpu, _ := workloads.Lookup("cpu")
	io, _ := workloads.Lookup("io")
	tests := []struct {
		strategy string
		plan     Plan
		want     time.Duration
	}{
		{"pool-apply-async", Plan{Workload: io, TaskTimeout: 2 * time.Second}, 2 * time.Second},
		{"serial", Plan{Workload: io, TaskTimeout: 2 * time.Second}, 3 * time.Second},
		{"pool-map", Plan{Workload: io, Size: uint64(50 * time.Millisecond)}, 5 * time.Second},
		{"pool-map", Plan{Workload: io, Size: uint64(time.Second)}, 20 * time.Second},
		{"pool-apply", Plan{Workload: cpu, Size: 250_000}, 10 * time.Second},
	}
	for _, tt := range tests {
		if got := stallBound(tt.strategy, tt.plan); got != tt.want {
			t.Errorf("stallBound(%s, %+v) = %v, want %v", tt.strategy, tt.plan, got, tt.want)
		}
	}
}

// TestPythonTwinsMatchGoSerial: on the workloads with a CPython twin, each
// py-* strategy's checksum equals Go's serial under the same seed and
// options, so that a run cross-checks them as it does the Go strategies.
func TestPythonTwinsMatchGoSerial(t *testing.T) {
	opts := workloads.Options{Seed: 42, PayloadIn: 20 << 10, PayloadOut: 5 << 10, Skew: 1}
	for _, wl := range []struct{ name, size string }{
		{workloads.PayloadName, "0"}, {workloads.SkewedName, "500"}, {workloads.AllocName, "64KiB"},
	} {
		p := plan(t, wl.name, wl.size, 8, 3)
		p.Options = opts
		want := NewRecorder()
		if err := (Serial{}).Run(context.Background(), p, want); err != nil {
			t.Fatal(err)
		}
		py, _ := Group("py")
		for _, name := range py {
			s, _ := Lookup(name)
			t.Run(wl.name+"/"+name, func(t *testing.T) {
				skipPythonWithout(t, p, s)
				rec := NewRecorder()
				if err := s.Run(context.Background(), p, rec); err != nil {
					t.Fatal(err)
				}
				o := rec.Outcome()
				if o.Tasks != 8 || o.Errors != 0 || o.Checksum != want.Outcome().Checksum {
					t.Fatalf("%d tasks, %d errors (%v), checksum %s; Go's serial: %s", o.Tasks, o.Errors, o.ErrorSamples, o.Checksum, want.Outcome().Checksum)
				}
			})
		}
	}
}

// TestPythonRefusesWorkloadWithoutTwin: a py-* strategy given a workload
// with no CPython twin says so in one line, before starting anything.
func TestPythonRefusesWorkloadWithoutTwin(t *testing.T) {
	exec, err := workloads.Lookup(workloads.ExecName)
	if err != nil {
		t.Fatal(err)
	}
	p := Plan{Workload: exec, Tasks: 2, Workers: 1, Python: "/nonexistent/python3"}
	err = (PyPoolApplyAsync{}).Run(context.Background(), p, NewRecorder())
	if !errors.Is(err, ErrNoTwin) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "py-pool-apply-async: no CPython twin of workload exec") {
		t.Fatalf("err = %v", err)
	}
}
