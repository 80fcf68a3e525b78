package harness

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/workloads"
)

// A program's own function: poolbench-worker does not have it.
var testOwnFunc = procpool.Func("harness.test.own", func(_ context.Context, n int) (int, error) { return n, nil })

func init() {
	if err := workloads.AddUserFuncs(); err != nil {
		panic(err)
	}
}

// A test binary carries no build stamp: its pools re-execute it, whatever
// lies beside it.
func TestFindWorkerBinaryWithoutStamp(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path, why := findWorkerBinary(exe, WorkerBinaryName)
	if path != "" || !strings.Contains(why, "without a build stamp") {
		t.Errorf("findWorkerBinary(test binary) = %q, %q; want none, for want of a stamp", path, why)
	}
	if path, why := findWorkerBinary("/nonexistent/poolbench", NATSWorkerBinaryName); path != "" || why == "" {
		t.Errorf("findWorkerBinary(missing) = %q, %q; want none, and why", path, why)
	}
}

// Only the process pools of built-in workloads start poolbench-worker, and
// only the NATS pools of built-in workloads poolbench-natsworker;
// config.worker_binary names every executable the pools' workers ran, and
// each fallback is said once, with its reason.
func TestRecordWorkerBinary(t *testing.T) {
	cpu, _ := workloads.Lookup(workloads.CPUName)
	own, err := workloads.Lookup(testOwnFunc.Name())
	if err != nil {
		t.Fatal(err)
	}
	lean := &plan{Config: Config{Executable: "/opt/pb/poolbench"}, workerBin: "/opt/pb/poolbench-worker", natsWorkerBin: "/opt/pb/poolbench-natsworker"}
	self := &plan{Config: Config{Executable: "/opt/pb/poolbench"}, workerBinWhy: "no poolbench-worker beside it", natsWorkerBinWhy: "no poolbench-natsworker beside it"}
	spec := func(p *plan, strategy string, w workloads.Workload) TrialSpec {
		return TrialSpec{Strategy: strategy, Workload: w.Name, WorkerBinary: p.workerBinaryFor(strategy, w)}
	}
	for _, tc := range []struct {
		name   string
		p      *plan
		specs  func(p *plan) []TrialSpec
		binary string
		notes  []string
	}{
		{"no pool", lean, func(p *plan) []TrialSpec {
			return []TrialSpec{spec(p, "serial", cpu), spec(p, "goroutine-pool", cpu), spec(p, "py-pool-apply", cpu)}
		}, "", nil},
		{"nats", lean, func(p *plan) []TrialSpec {
			return []TrialSpec{spec(p, "nats-pool-apply", cpu), spec(p, "pool-apply", cpu), spec(p, "nats-pool-map", own)}
		}, "poolbench-natsworker,poolbench-worker,poolbench", []string{"pool workers of harness.test.own re-executed poolbench itself: poolbench-worker has only the built-in workloads"}},
		{"nats fallback", self, func(p *plan) []TrialSpec {
			return []TrialSpec{spec(p, "nats-pool-apply-async", cpu), spec(p, "nats-pool-map", cpu)}
		}, "poolbench", []string{"NATS pool workers re-executed poolbench itself, not poolbench-natsworker: no poolbench-natsworker beside it; `make build` builds it"}},
		{"lean", lean, func(p *plan) []TrialSpec {
			return []TrialSpec{spec(p, "serial", cpu), spec(p, "pool-apply", cpu), spec(p, "process-per-task", cpu)}
		}, "poolbench-worker", nil},
		{"own function", lean, func(p *plan) []TrialSpec {
			return []TrialSpec{spec(p, "pool-map", cpu), spec(p, "pool-map", own), spec(p, "pool-apply", own)}
		}, "poolbench-worker,poolbench", []string{"pool workers of harness.test.own re-executed poolbench itself: poolbench-worker has only the built-in workloads"}},
		{"fallback", self, func(p *plan) []TrialSpec {
			return []TrialSpec{spec(p, "pool-apply-async", cpu), spec(p, "pool-map", cpu)}
		}, "poolbench", []string{"pool workers re-executed poolbench itself, not poolbench-worker: no poolbench-worker beside it; `make build` builds both"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var run results.Run
			tc.p.recordWorkerBinary(&run, tc.specs(tc.p))
			if run.Config.WorkerBinary != tc.binary {
				t.Errorf("worker_binary %q, want %q", run.Config.WorkerBinary, tc.binary)
			}
			if strings.Join(run.Notes, "\n") != strings.Join(tc.notes, "\n") {
				t.Errorf("notes %q, want %q", run.Notes, tc.notes)
			}
		})
	}
}

// `poolbench worker` in a program with functions of its own re-executes
// the program: poolbench-natsworker could not run them.
func TestHostWorkerBinaryWithOwnFunctions(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path, why := HostWorkerBinary(exe)
	if path != "" || !strings.Contains(why, "functions of its own") || !strings.Contains(why, testOwnFunc.Name()) {
		t.Errorf("HostWorkerBinary = %q, %q; want none, for the program's own %s", path, why, testOwnFunc.Name())
	}
}
