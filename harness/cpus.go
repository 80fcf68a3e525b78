package harness

import "runtime"

// runtimeCPUs is how many CPUs the trials can use: GOMAXPROCS, which follows
// the process's CPU affinity and cgroup limit.
func runtimeCPUs() int { return runtime.GOMAXPROCS(0) }
