package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/internal/stampfile"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

// WorkerBinaryName is the file name of the pool worker alone
// (cmd/poolbench-worker), looked for beside poolbench: it starts in a
// fraction of the time poolbench itself takes, whose every package
// initialises at each start.
const WorkerBinaryName = "poolbench-worker"

// NATSWorkerBinaryName is the NATS pools' worker alone
// (cmd/poolbench-natsworker), looked for beside poolbench as
// WorkerBinaryName is: poolbench-worker without nats.go starts faster.
const NATSWorkerBinaryName = "poolbench-natsworker"

// findWorkerBinary returns the worker binary name beside exe when it is of
// exe's own build (the same, non-empty, build stamp), else "" and why not,
// as a note says it. A worker of another build could run a workload
// differently, or speak another protocol: it is never used.
func findWorkerBinary(exe, name string) (path, whyNot string) {
	own, err := stampfile.Of(exe)
	switch {
	case err != nil:
		return "", fmt.Sprintf("its build could not be read (%v)", err)
	case own == "":
		return "", "it was built without a build stamp (go run, go install, a plain go build, or -trimpath, which leaves the stamp out of the build information)"
	}
	path = filepath.Join(filepath.Dir(exe), name)
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return "", "no " + name + " beside it"
	case !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0:
		return "", path + " is not an executable file"
	}
	theirs, err := stampfile.Of(path)
	switch {
	case err != nil:
		return "", fmt.Sprintf("the %s beside it could not be read (%v)", name, err)
	case theirs != own:
		return "", "the " + name + " beside it is of another build"
	}
	return path, ""
}

// workerBinaryFor is the executable a trial's pools start their workers
// from ("": the trial's own, re-executed): poolbench-worker, or
// poolbench-natsworker for a NATS pool, when it is usable and has the
// workload. A program's own functions are only in that program.
func (p *plan) workerBinaryFor(strategy string, w workloads.Workload) string {
	switch {
	case !w.BuiltIn():
		return ""
	case startsWorkers(strategy):
		return p.workerBin
	case strategies.IsNATS(strategy):
		return p.natsWorkerBin
	}
	return ""
}

// recordWorkerBinary sets config.worker_binary to the base names of the
// executables the run's pool workers ran, and says in a note why any of
// them re-executed the program itself.
func (p *plan) recordWorkerBinary(run *results.Run, specs []TrialSpec) {
	self := filepath.Base(p.Executable)
	var names, selfBuiltIn, selfOwn []string
	selfNATS := false
	for _, s := range specs {
		nats := strategies.IsNATS(s.Strategy)
		if !startsWorkers(s.Strategy) && !nats {
			continue
		}
		name := self
		if s.WorkerBinary != "" {
			name = filepath.Base(s.WorkerBinary)
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		if s.WorkerBinary != "" {
			continue
		}
		w, _ := workloads.Lookup(s.Workload)
		switch {
		case !w.BuiltIn() && !slices.Contains(selfOwn, s.Workload):
			selfOwn = append(selfOwn, s.Workload)
		case w.BuiltIn() && nats:
			selfNATS = true
		case w.BuiltIn() && !slices.Contains(selfBuiltIn, s.Workload):
			selfBuiltIn = append(selfBuiltIn, s.Workload)
		}
	}
	run.Config.WorkerBinary = strings.Join(names, ",")
	if len(selfBuiltIn) > 0 {
		run.Notes = append(run.Notes, fmt.Sprintf("pool workers re-executed %s itself, not %s: %s; `make build` builds both",
			self, WorkerBinaryName, p.workerBinWhy))
	}
	if selfNATS {
		run.Notes = append(run.Notes, fmt.Sprintf("NATS pool workers re-executed %s itself, not %s: %s; `make build` builds it",
			self, NATSWorkerBinaryName, p.natsWorkerBinWhy))
	}
	if len(selfOwn) > 0 {
		run.Notes = append(run.Notes, fmt.Sprintf("pool workers of %s re-executed %s itself: %s has only the built-in workloads",
			strings.Join(selfOwn, ", "), self, WorkerBinaryName))
	}
}

// HostWorkerBinary is the executable `poolbench worker` starts its NATS
// workers from: poolbench-natsworker beside exe when it is of exe's build
// and the program has no workloads of its own (a pool on the server may
// send any of the program's functions, and only the program has its own),
// else "" (exe itself, re-executed) and why not.
func HostWorkerBinary(exe string) (path, whyNot string) {
	for _, n := range workloads.Names() {
		if w, _ := workloads.Lookup(n); !w.BuiltIn() {
			return "", "the program has functions of its own (" + n + "), which " + NATSWorkerBinaryName + " does not"
		}
	}
	return findWorkerBinary(exe, NATSWorkerBinaryName)
}

// WorkerBinary is the pool worker alone beside this executable, when it is
// of this build, for a program's own pools of built-in functions to start
// their workers from, as the trials' pools do; else "" and why not.
func WorkerBinary() (path, whyNot string) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Sprintf("its own executable could not be found (%v)", err)
	}
	return findWorkerBinary(exe, WorkerBinaryName)
}
