package strategies

import (
	"slices"
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
