package harness

import (
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/poolbench/poolbench/measure"
	"github.com/poolbench/poolbench/results"
	"golang.org/x/sys/unix"
)

// runtimeCPUs is how many CPUs the trials can use: GOMAXPROCS, which follows
// the process's CPU affinity and cgroup limit.
func runtimeCPUs() int { return runtime.GOMAXPROCS(0) }

// hostInfo describes the machine, with the CPUs this process may really use
// beside the ones it has.
func hostInfo() results.Host {
	h := measure.HostInfo()
	h.GOMAXPROCS = runtime.GOMAXPROCS(0)
	h.UsableCPUs = usableCPUs()
	return h
}

// usableCPUs is how many CPUs this process may run on: those in its
// affinity mask, bounded by its cgroup's CPU quota (cgroup v2 cpu.max),
// rounded up as the Go runtime rounds GOMAXPROCS.
func usableCPUs() int {
	n := runtime.NumCPU()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil && set.Count() > 0 {
		n = set.Count()
	}
	if q, ok := cgroupCPUQuota(); ok {
		n = min(n, max(1, int(math.Ceil(q))))
	}
	return n
}

// cgroupCPUQuota reads the cgroup v2 CPU limit of this process, in CPUs.
func cgroupCPUQuota() (float64, bool) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	// cgroup v2 has one line, "0::/path".
	line, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "0::")
	if !ok {
		return 0, false
	}
	q, ok := readCPUMax("/sys/fs/cgroup" + line + "/cpu.max")
	return q, ok
}

// readCPUMax parses cpu.max ("max 100000" or "200000 100000").
func readCPUMax(path string) (float64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "max" {
		return 0, false
	}
	quota, err1 := strconv.ParseFloat(f[0], 64)
	period, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || period <= 0 || quota <= 0 {
		return 0, false
	}
	return quota / period, true
}
