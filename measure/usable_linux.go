package measure

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// UsableCPUs is how many CPUs this process may keep busy at once: the CPUs
// in its affinity mask (taskset, cpuset), lowered to the CPU quota of its
// cgroup and every ancestor's (v2 cpu.max, v1 cpu.cfs_quota_us over
// cpu.cfs_period_us), rounded up. It is what the Go runtime bases its
// default GOMAXPROCS on, read here so that a GOMAXPROCS setting does not
// change it.
func UsableCPUs() int {
	n := runtime.NumCPU()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil && set.Count() > 0 {
		n = set.Count()
	}
	if q, ok := cgroupCPUQuota(); ok {
		n = min(n, max(int(math.Ceil(q)), 1))
	}
	return n
}

// cgroupCPUQuota is the smallest CPU quota, in CPUs, on this process's
// cgroup and its ancestors; ok is false if none is set.
func cgroupCPUQuota() (cpus float64, ok bool) {
	cpus = math.Inf(1)
	if mnt, root, err := cgroupMount(func(fstype, _ string) bool { return fstype == "cgroup2" }); err == nil {
		if own, err := ownCgroup(func(c string) bool { return c == "" }); err == nil {
			walkUp(mnt, filepath.Join(mnt, strings.TrimPrefix(own, root)), func(dir string) {
				if f := readFields(filepath.Join(dir, "cpu.max")); len(f) == 2 && f[0] != "max" {
					cpus = min(cpus, ratio(f[0], f[1]))
				}
			})
		}
	}
	isCPU := func(list string) bool { return strings.Contains(","+list+",", ",cpu,") }
	if mnt, root, err := cgroupMount(func(fstype, opts string) bool { return fstype == "cgroup" && isCPU(opts) }); err == nil {
		if own, err := ownCgroup(isCPU); err == nil {
			walkUp(mnt, filepath.Join(mnt, strings.TrimPrefix(own, root)), func(dir string) {
				q, p := readFields(filepath.Join(dir, "cpu.cfs_quota_us")), readFields(filepath.Join(dir, "cpu.cfs_period_us"))
				if len(q) == 1 && len(p) == 1 && q[0] != "-1" {
					cpus = min(cpus, ratio(q[0], p[0]))
				}
			})
		}
	}
	return cpus, !math.IsInf(cpus, 1) && cpus > 0
}

func walkUp(mnt, dir string, fn func(string)) {
	for strings.HasPrefix(dir, mnt) {
		fn(dir)
		if dir == mnt {
			return
		}
		dir = filepath.Dir(dir)
	}
}

func readFields(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Fields(string(b))
}

func ratio(num, den string) float64 {
	a, err1 := strconv.ParseFloat(num, 64)
	b, err2 := strconv.ParseFloat(den, 64)
	if err1 != nil || err2 != nil || a <= 0 || b <= 0 {
		return math.Inf(1)
	}
	return a / b
}
