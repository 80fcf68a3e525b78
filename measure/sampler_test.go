//go:build linux

package measure

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestSamplerAlloc checks RSS against a child of known size: the growth from
// the child's own baseline must be the 200 MiB it touched, and the peak must
// agree with the kernel's VmRSS of the child.
func TestSamplerAlloc(t *testing.T) {
	c := startChild(t, "alloc")
	c.expect("base")
	// Start's first sample, taken before it returns, is the baseline; Stop's
	// last, taken while the child still holds the memory, sees the peak.
	s, err := Start(c.pid(), 0)
	if err != nil {
		t.Fatal(err)
	}
	c.send("go")
	c.expect("ready")
	vmRSS := readVmRSS(t, c.pid())
	rep := s.Stop()
	usage := Rusage(c.finish())

	if rep.Err != nil {
		t.Errorf("sampler error: %v", rep.Err)
	}
	if len(rep.Samples) == 0 {
		t.Fatal("no samples")
	}
	base := rep.Samples[0].RSSBytes
	grown := float64(rep.PeakRSSBytes) - float64(base)
	const mib = 1 << 20
	t.Logf("baseline %.1f MiB, peak %.1f MiB, grown %.1f MiB, VmRSS %.1f MiB, ru_maxrss %.1f MiB, %d samples",
		float64(base)/mib, float64(rep.PeakRSSBytes)/mib, grown/mib, float64(vmRSS)/mib, float64(usage.MaxRSSBytes)/mib, rep.SampleCount)
	if rel := math.Abs(grown-allocBytes) / allocBytes; rel > 0.10 {
		t.Errorf("peak minus baseline = %.1f MiB, want 200 MiB within 10%%", grown/mib)
	}
	if rel := math.Abs(float64(rep.PeakRSSBytes)-float64(vmRSS)) / float64(vmRSS); rel > 0.10 {
		t.Errorf("peak %d bytes, child's VmRSS %d bytes: off by %.0f%%", rep.PeakRSSBytes, vmRSS, rel*100)
	}
	if usage.MaxRSSBytes < allocBytes || usage.MaxRSSBytes > rep.PeakRSSBytes*11/10 {
		t.Errorf("ru_maxrss %d bytes, want at least %d and near the peak %d", usage.MaxRSSBytes, allocBytes, rep.PeakRSSBytes)
	}
}

// readVmRSS reads a process's resident set size from /proc/<pid>/status,
// the figure top shows, independently of the sampler's reading of statm.
func readVmRSS(t *testing.T, pid int) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			f := bytes.Fields(rest)
			kib, err := strconv.ParseUint(string(f[0]), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kib << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestSamplerTree checks that the whole tree is counted: a child with n
// grandchildren is n+1 processes, on every sample.
func TestSamplerTree(t *testing.T) {
	for _, n := range []int{0, 1, 6} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c := startChild(t, "tree", "MEASURE_TEST_N="+strconv.Itoa(n))
			c.expect("ready")
			// Wait for samples the sampler took on its own, not only
			// Start's and Stop's.
			const samples = 5
			taken := 0
			enough := make(chan struct{})
			s := startWatched(t, c.pid(), 5*time.Millisecond, func(reading) {
				if taken++; taken == samples {
					close(enough)
				}
			})
			waitFor(t, enough, "%d samples", samples)
			rep := s.Stop()
			c.finish()
			if rep.Err != nil {
				t.Errorf("sampler error: %v", rep.Err)
			}
			if rep.PeakProcesses != n+1 {
				t.Errorf("peak processes %d, want %d", rep.PeakProcesses, n+1)
			}
			for _, smp := range rep.Samples {
				if smp.Processes != n+1 {
					t.Errorf("sample at %.3fs: %d processes, want %d", smp.Seconds, smp.Processes, n+1)
				}
			}
			// Each process is a Go program of at least a megabyte.
			if min := uint64(n+1) << 20; rep.PeakRSSBytes < min {
				t.Errorf("peak RSS %d bytes, want at least %d", rep.PeakRSSBytes, min)
			}
		})
	}
}

// TestSamplerTreeGrows starts the grandchildren after sampling started, and
// well within the reader's once-a-second full listing of /proc, so that they
// must be found by the listings of new pids.
func TestSamplerTreeGrows(t *testing.T) {
	const n = 4
	c := startChild(t, "tree", "MEASURE_TEST_N="+strconv.Itoa(n), "MEASURE_TEST_LATE=1")
	c.expect("waiting")
	// Start has listed /proc in full before it returns: what starts after
	// it can only be found by the sampler's own listings of new pids, which
	// the test waits for rather than leave it to Stop's last sample.
	grown := newEvent()
	s := startWatched(t, c.pid(), 5*time.Millisecond, func(rd reading) {
		if rd.procs == n+1 {
			grown.set()
		}
	})
	c.send("go")
	c.expect("ready")
	waitFor(t, grown.ch, "the sampler to see %d processes", n+1)
	rep := s.Stop()
	c.finish()
	if rep.Err != nil {
		t.Errorf("sampler error: %v", rep.Err)
	}
	if first, last := rep.Samples[0].Processes, rep.Samples[len(rep.Samples)-1].Processes; first != 1 || last != n+1 {
		t.Errorf("processes went from %d to %d, want 1 to %d", first, last, n+1)
	}
}

// TestSamplerChurn samples a tree whose processes come and go faster than
// the sampler reads them: vanishing processes must not be errors. The test
// waits until the sampler has seen grandchildren come and go a few times.
func TestSamplerChurn(t *testing.T) {
	c := startChild(t, "churn")
	c.expect("ready")
	const cycles = 3
	seen, churned := 0, make(chan struct{})
	grandchild := false
	s := startWatched(t, c.pid(), 2*time.Millisecond, func(rd reading) {
		switch {
		case rd.procs >= 2:
			grandchild = true
		case grandchild && rd.procs == 1:
			grandchild = false
			if seen++; seen == cycles {
				close(churned)
			}
		}
	})
	waitFor(t, churned, "the sampler to see grandchildren come and go %d times", cycles)
	rep := s.Stop()
	c.finish()
	if rep.Err != nil {
		t.Errorf("sampler error: %v", rep.Err)
	}
	if rep.PeakProcesses < 2 {
		t.Errorf("peak processes %d: the sampler saw a grandchild, the report does not", rep.PeakProcesses)
	}
	t.Logf("%d samples, peak %d processes", rep.SampleCount, rep.PeakProcesses)
}

// TestStopAfterExit stops a sampler whose process has exited, either still
// a zombie or already reaped.
func TestStopAfterExit(t *testing.T) {
	for _, reapFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("reaped=%v", reapFirst), func(t *testing.T) {
			c := startChild(t, "wait")
			c.expect("ready")
			found := newEvent()
			s := startWatched(t, c.pid(), 2*time.Millisecond, func(rd reading) {
				if rd.rootGone {
					found.set()
				}
			})
			c.stdin.Close()
			if reapFirst {
				c.finish()
				// Sampling stops by itself once the root is reaped.
				waitFor(t, found.ch, "the sampler to find pid %d reaped", c.pid())
			} else {
				waitZombie(t, c.pid())
			}
			rep := s.Stop()
			if !reapFirst {
				c.finish()
			}
			if rep.Err != nil {
				t.Errorf("sampler error: %v", rep.Err)
			}
			if rep.SampleCount < 1 || rep.PeakProcesses != 1 {
				t.Errorf("%d samples, peak %d processes; want at least 1 sample of 1 process", rep.SampleCount, rep.PeakProcesses)
			}
			// Between its exit and its reaping the process reads as empty
			// (no memory, not live): that is the tree's end, not a sample.
			for _, smp := range rep.Samples {
				if smp.Processes != 1 || smp.RSSBytes == 0 {
					t.Errorf("sample %+v: an exited process must not leave an empty sample in the series", smp)
				}
			}
			if again := s.Stop(); again.SampleCount != rep.SampleCount {
				t.Errorf("second Stop: %d samples, first %d", again.SampleCount, rep.SampleCount)
			}
		})
	}
}

func waitZombie(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		if st, ok := parseStat(b); ok && st.state == 'Z' {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("pid %d did not exit", pid)
}

func TestStartErrors(t *testing.T) {
	c := startChild(t, "exit")
	gonePID := c.pid()
	c.finish()
	tests := []struct {
		name     string
		pid      int
		interval time.Duration
		want     error
	}{
		{"zero pid", 0, 0, ErrInvalidPID},
		{"negative pid", -4, 0, ErrInvalidPID},
		{"negative interval", os.Getpid(), -time.Millisecond, ErrInvalidInterval},
		{"reaped process", gonePID, 0, ErrNoProcess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Start(tt.pid, tt.interval)
			if err == nil {
				s.Stop()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Start(%d, %v) = %v, want %v", tt.pid, tt.interval, err, tt.want)
			}
		})
	}
}

// TestSamplerReapedCPU checks the CPU the sampler counts when the CPU is
// used by a grandchild that the child reaps: none of it may be lost to the
// grandchild's exit, and none counted twice.
func TestSamplerReapedCPU(t *testing.T) {
	const burnMS = 300
	c := startChild(t, "reaper", burnEnv+"="+strconv.Itoa(burnMS))
	s, err := Start(c.pid(), 0)
	if err != nil {
		t.Fatal(err)
	}
	c.send("go")
	c.expect("ready")
	rep := s.Stop()
	u := Rusage(c.finish())
	total := u.UserSeconds + u.SystemSeconds
	t.Logf("sampler saw %.3fs of CPU; rusage %.3fs; sampler's own cost %.4fs over %.3fs (%d samples)",
		rep.CPUSeconds, total, rep.SamplerCPUSeconds, rep.Seconds, rep.SampleCount)
	const tick = 0.01
	if rep.CPUSeconds < burnMS/1000.0-2*tick {
		t.Errorf("sampler counted %.3fs of CPU, the grandchild alone used %.3fs", rep.CPUSeconds, burnMS/1000.0)
	}
	if rep.CPUSeconds > total+2*tick {
		t.Errorf("sampler counted %.3fs of CPU, more than the %.3fs the tree used in all", rep.CPUSeconds, total)
	}
	var peak float64
	for _, smp := range rep.Samples {
		peak = max(peak, smp.CPUPercent)
		if smp.CPUPercent < 0 {
			t.Errorf("negative CPU at %.3fs: %v", smp.Seconds, smp.CPUPercent)
		}
	}
	// The series spreads the counted CPU over time, so its highest point
	// is at least the average over the whole run, however busy the machine
	// kept the burner from its core.
	if mean := rep.CPUSeconds / rep.Seconds * 100; peak < mean*0.999 {
		t.Errorf("CPU series peaks at %.1f%%, below the run's average of %.1f%%: the series lost CPU", peak, mean)
	}
}

func TestFitBudget(t *testing.T) {
	s := &Sampler{interval: 10 * time.Millisecond}
	tests := []struct {
		cost float64 // CPU seconds per sample
		want time.Duration
	}{
		{0, 10 * time.Millisecond},
		{50e-6, 10 * time.Millisecond},  // 0.5% of a core at 10 ms
		{100e-6, 10 * time.Millisecond}, // exactly 1%
		{150e-6, 20 * time.Millisecond}, // would be 1.5%
		{1e-3, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := s.fitBudget(tt.cost); got != tt.want {
			t.Errorf("fitBudget(%v s) = %v, want %v", tt.cost, got, tt.want)
		}
	}
}

// startWatched starts a sampler whose every reading (after Start's) is also
// handed to see, on the sampling goroutine, so that a test can wait for what
// the sampler itself saw instead of sleeping.
func startWatched(t *testing.T, pid int, interval time.Duration, see func(reading)) *Sampler {
	t.Helper()
	start := time.Now()
	r, first, err := newTreeReader(pid)
	if err != nil {
		t.Fatal(err)
	}
	return startReader(watchedReader{r, see}, first, start, interval)
}

type watchedReader struct {
	treeReader
	see func(reading)
}

func (w watchedReader) sample(withCPU bool) (reading, error) {
	rd, err := w.treeReader.sample(withCPU)
	w.see(rd)
	return rd, err
}

// waitFor waits for ch to close. The deadline only turns a hang into a
// failure; it is no measure of speed.
func waitFor(t *testing.T, ch <-chan struct{}, what string, args ...any) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for "+what, args...)
	}
}

// event is a channel closed once, however often it is set.
type event struct {
	ch   chan struct{}
	once sync.Once
}

func newEvent() *event { return &event{ch: make(chan struct{})} }

func (e *event) set() { e.once.Do(func() { close(e.ch) }) }
