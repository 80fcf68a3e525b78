package measure

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/shirou/gopsutil/v4/cpu"
)

// BusyCPUSeconds is the CPU time the whole machine has spent busy since
// boot, every CPU summed: user (guests included), nice, system, interrupts
// and steal, from /proc/stat through gopsutil. Idle and I/O wait are left
// out. Differences over a trial, less the trial's own CPU, are the CPU other
// work took beside it. The kernel counts it in clock ticks (10 ms) per CPU.
func BusyCPUSeconds() (float64, error) {
	ts, err := cpu.Times(false)
	if err != nil || len(ts) == 0 {
		if err == nil {
			err = errors.New("none reported")
		}
		return 0, fmt.Errorf("measure: system CPU times: %w", err)
	}
	t := ts[0]
	return t.User + t.Nice + t.System + t.Irq + t.Softirq + t.Steal, nil
}

// HostCPUs is the number of logical CPUs the machine has online, the CPUs
// BusyCPUSeconds sums over, whatever this process may use of them.
func HostCPUs() int {
	if n, err := cpu.Counts(true); err == nil && n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// TickSeconds is the unit in which the kernel counts CPU time (USER_HZ).
func TickSeconds() float64 {
	if cpu.ClocksPerSec > 0 {
		return 1 / cpu.ClocksPerSec
	}
	return 0.01
}
