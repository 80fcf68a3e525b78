package measure

import (
	"runtime"
	"testing"
)

func TestHostInfo(t *testing.T) {
	h := HostInfo()
	t.Logf("%+v", h)
	if h.OS != runtime.GOOS || h.Arch != runtime.GOARCH || h.GoVersion != runtime.Version() {
		t.Errorf("OS/arch/Go = %s/%s/%s, want %s/%s/%s", h.OS, h.Arch, h.GoVersion, runtime.GOOS, runtime.GOARCH, runtime.Version())
	}
	if h.CPUs < 1 {
		t.Errorf("CPUs = %d", h.CPUs)
	}
	if runtime.GOOS == "linux" {
		if h.Kernel == "" || h.Hostname == "" || h.MemoryBytes == 0 || h.CPUModel == "" {
			t.Errorf("missing fields on Linux: %+v", h)
		}
	}
}
