package measure

import (
	"context"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/poolbench/poolbench/results"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/mem"
)

// hostTimeout bounds HostInfo: on some systems gopsutil asks other programs
// or services (WMI, sysctl), and a run must not hang on describing its host.
const hostTimeout = 5 * time.Second

// HostInfo describes the machine. It never fails: a figure that cannot be
// read is left empty, since a results file without a CPU model is still a
// results file.
func HostInfo() results.Host {
	ctx, cancel := context.WithTimeout(context.Background(), hostTimeout)
	defer cancel()
	h := results.Host{
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
		GoVersion: runtime.Version(),
		CPUs:      runtime.NumCPU(),
	}
	if n, err := cpu.CountsWithContext(ctx, true); err == nil && n > 0 {
		h.CPUs = n
	}
	if infos, err := cpu.InfoWithContext(ctx); err == nil && len(infos) > 0 {
		h.CPUModel = strings.TrimSpace(infos[0].ModelName)
	}
	if info, err := host.InfoWithContext(ctx); err == nil && info != nil {
		h.Hostname = info.Hostname
		h.Platform = strings.TrimSpace(info.Platform + " " + info.PlatformVersion)
		h.Kernel = info.KernelVersion
	}
	if h.Hostname == "" {
		h.Hostname, _ = os.Hostname()
	}
	if vm, err := mem.VirtualMemoryWithContext(ctx); err == nil && vm != nil {
		h.MemoryBytes = vm.Total
	}
	return h
}
