package measure

import (
	"runtime"
	"testing"
)

func TestUsableCPUs(t *testing.T) {
	n := UsableCPUs()
	t.Logf("usable CPUs %d, NumCPU %d", n, runtime.NumCPU())
	if n < 1 || n > runtime.NumCPU() {
		t.Errorf("UsableCPUs() = %d, want 1..%d", n, runtime.NumCPU())
	}
}

// TestBusyCPUSeconds checks the machine's busy time against this process's
// own: burning CPU here must raise it by at least what this process used,
// less a tick per CPU of counting granularity.
func TestBusyCPUSeconds(t *testing.T) {
	b0, err := BusyCPUSeconds()
	if err != nil {
		t.Fatal(err)
	}
	c0 := selfCPU()
	burn(200e6) // 200 ms of CPU
	used := selfCPU() - c0
	b1, err := BusyCPUSeconds()
	if err != nil {
		t.Fatal(err)
	}
	slack := 2 * TickSeconds() * float64(runtime.NumCPU())
	if b1-b0 < used-slack {
		t.Errorf("machine busy for %.3fs while this process alone used %.3fs", b1-b0, used)
	}
}
