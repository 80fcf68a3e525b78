package harness

import (
	"runtime"

	"github.com/poolbench/poolbench/measure"
	"github.com/poolbench/poolbench/results"
)

// runtimeCPUs is how many CPUs the trials can use: GOMAXPROCS, which follows
// the process's CPU affinity and cgroup limit.
func runtimeCPUs() int { return runtime.GOMAXPROCS(0) }

// hostInfo describes the machine, with the CPUs this process may really use
// beside the ones it has: its affinity mask bounded by the CPU quota of its
// cgroup and the cgroup's ancestors, v1 or v2 (measure.UsableCPUs).
func hostInfo() results.Host {
	h := measure.HostInfo()
	h.GOMAXPROCS = runtime.GOMAXPROCS(0)
	h.UsableCPUs = measure.UsableCPUs()
	return h
}
