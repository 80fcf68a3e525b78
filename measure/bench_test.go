//go:build linux

package measure

import (
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// BenchmarkSampleTree100 measures one sample of a 100-process tree (a child
// and 99 grandchildren, each a Go program). The sampler must cost under 1% of
// one core at the default 10 ms interval: under 100 us per sample, the
// "%core@10ms" metric under 1.
//
//	rss       a sample reading RSS only (statm), the common case
//	cpu       a sample reading CPU too (stat)
//	default   the schedule Start runs: CPU every cpuWindow, RSS otherwise;
//	          this is the figure the budget applies to
//	rescan    default, plus a full /proc listing on every sample (without the
//	          reader's shortcuts: the worst case)
//	gopsutil  the same reading through gopsutil (Children, MemoryInfo,
//	          Times), for comparison
func BenchmarkSampleTree100(b *testing.B) {
	const n = 99
	c := startChild(b, "tree", "MEASURE_TEST_N=99")
	c.expect("ready")

	newReader := func(b *testing.B) *procReader {
		r, first, err := newTreeReader(c.pid())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(r.close)
		if first.procs != n+1 {
			b.Fatalf("tree has %d processes, want %d", first.procs, n+1)
		}
		return r.(*procReader)
	}
	stride := int(cpuWindow / DefaultInterval)
	report := func(b *testing.B) {
		perSample := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(perSample/float64(DefaultInterval.Nanoseconds())*100, "%core@10ms")
	}
	for _, bc := range []struct {
		name   string
		cpu    func(i int) bool
		rescan bool
	}{
		{"rss", func(int) bool { return false }, false},
		{"cpu", func(int) bool { return true }, false},
		{"default", func(i int) bool { return i%stride == 0 }, false},
		{"rescan", func(i int) bool { return i%stride == 0 }, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := newReader(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if bc.rescan {
					r.lastFull = time.Time{}
				}
				rd, err := r.sample(bc.cpu(i))
				if err != nil || rd.procs != n+1 {
					b.Fatalf("sample: %d processes, %v", rd.procs, err)
				}
				i++
			}
			report(b)
			b.ReportMetric(float64(r.scans)/float64(i), "scans/op")
		})
	}
	b.Run("gopsutil", func(b *testing.B) {
		root, err := process.NewProcess(int32(c.pid()))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			procs := []*process.Process{root}
			for i := 0; i < len(procs); i++ {
				kids, _ := procs[i].Children()
				procs = append(procs, kids...)
			}
			for _, p := range procs {
				p.MemoryInfo()
				p.Times()
			}
			if len(procs) != n+1 {
				b.Fatalf("%d processes", len(procs))
			}
		}
		report(b)
	})
}

// BenchmarkSamplerOverhead runs a real Sampler at the default interval for a
// second, on a tree of 1 and of 100 processes, and reports what it cost:
//
//	thread-%core   the samples themselves (Report.SamplerCPUSeconds): the
//	               reads and the bookkeeping, on the thread's CPU clock
//	process-%core  this whole process while sampling (getrusage), which
//	               adds the Go runtime's timer and scheduler work of waking
//	               the sampler; the test process does nothing else meanwhile
//
// Two things make these higher than BenchmarkSampleTree100: after 10 ms
// asleep the kernel's data for each process is out of the CPU caches, and
// waking up every 10 ms at all has a cost of its own, which the 1-process
// tree shows and which depends on the machine (on a virtual machine each
// timer wake-up is dear).
func BenchmarkSamplerOverhead(b *testing.B) {
	for _, procs := range []int{1, 100} {
		b.Run(strconv.Itoa(procs), func(b *testing.B) {
			c := startChild(b, "tree", "MEASURE_TEST_N="+strconv.Itoa(procs-1))
			c.expect("ready")
			for b.Loop() {
				cpu0 := selfCPU()
				s, err := Start(c.pid(), DefaultInterval)
				if err != nil {
					b.Fatal(err)
				}
				time.Sleep(time.Second)
				rep := s.Stop()
				used := selfCPU() - cpu0
				if rep.Err != nil || rep.PeakProcesses != procs {
					b.Fatalf("peak %d processes, %v", rep.PeakProcesses, rep.Err)
				}
				b.ReportMetric(rep.SamplerCPUSeconds/rep.Seconds*100, "thread-%core")
				b.ReportMetric(used/rep.Seconds*100, "process-%core")
				b.ReportMetric(rep.SamplerCPUSeconds/float64(rep.SampleCount)*1e9, "thread-ns/sample")
				b.ReportMetric(float64(rep.Interval.Milliseconds()), "interval-ms")
			}
		})
	}
}

// selfCPU is this process's user+system CPU time in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
