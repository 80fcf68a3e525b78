//go:build !linux

package measure

import "runtime"

// UsableCPUs is how many CPUs this process may keep busy at once; outside
// Linux, the CPUs the runtime sees.
func UsableCPUs() int { return runtime.NumCPU() }
