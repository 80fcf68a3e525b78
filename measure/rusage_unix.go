//go:build unix

package measure

import (
	"os"
	"runtime"
	"syscall"
)

func rusage(state *os.ProcessState) Usage {
	ru, ok := state.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return Usage{
			UserSeconds:   state.UserTime().Seconds(),
			SystemSeconds: state.SystemTime().Seconds(),
		}
	}
	return Usage{
		UserSeconds:            float64(ru.Utime.Nano()) / 1e9,
		SystemSeconds:          float64(ru.Stime.Nano()) / 1e9,
		MaxRSSBytes:            uint64(ru.Maxrss) * maxRSSUnit(),
		VoluntaryCtxSwitches:   int64(ru.Nvcsw),
		InvoluntaryCtxSwitches: int64(ru.Nivcsw),
	}
}

// maxRSSUnit is the unit of ru_maxrss: bytes on Apple systems, KiB on Linux
// and the BSDs.
func maxRSSUnit() uint64 {
	switch runtime.GOOS {
	case "darwin", "ios":
		return 1
	default:
		return 1024
	}
}
