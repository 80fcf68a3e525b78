package measure

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/poolbench/poolbench/results"
)

// DefaultInterval is the sampling interval used when Start is given 0.
const DefaultInterval = 10 * time.Millisecond

// cpuWindow is how often CPU times are read. Reading them costs almost four
// times what RSS costs (2.2 us against 0.6 us per Go process, see
// procReader), and the kernel counts them in clock ticks of 10 ms, so a 10 ms
// window would show each process at 0% or 100% anyway; over 100 ms a process
// is within 10%. RSS and the process count, whose peaks matter, are read on
// every sample; CPU every cpuWindow, and every sample in a window gets the
// window's average. At 10 ms this brings one sample of 100 processes to
// about 77 us with warm caches (BenchmarkSampleTree100/default), under the
// 100 us that 1% of a core allows; reading CPU on every sample would cost
// about 220 us.
const cpuWindow = 100 * time.Millisecond

// CostBudget is the share of one core the sampling itself may use. Reading
// a tree costs about half a microsecond per process, so a tree of a hundred
// processes read every 10 ms would take 2-3% of a core; past the budget the
// sampler stretches its interval (in whole multiples of the one asked for)
// and says so in Report.Interval. The reads of smaps_rollup for PSS keep to
// a budget of the same size of their own (see pss_linux.go), so sampling
// takes at most twice this in all.
const CostBudget = 0.01

// Report is what a Sampler saw, from Start to Stop.
type Report struct {
	// PeakRSSBytes is the largest summed RSS of the tree's live processes
	// over all samples (before thinning).
	PeakRSSBytes uint64
	// PeakPSSBytes is the largest summed PSS of the tree's live processes:
	// exact at the samples where smaps_rollup was read, carried by statm
	// between them (see pss_linux.go). 0 where it cannot be read (outside
	// Linux).
	PeakPSSBytes uint64
	// PeakProcesses is the largest number of live processes seen at once,
	// the root included; exited but unreaped (zombie) processes not counted.
	PeakProcesses int
	// Samples is the time series, thinned to at most MaxPoints points: RSS
	// and process count keep each bucket's peak, CPU its average. Seconds
	// are counted from Start.
	Samples []results.Sample
	// SampleCount is the number of samples taken, before thinning. A
	// reading that finds no live process (the root has exited and left
	// nothing running) is not a sample of the tree and is not counted.
	SampleCount int
	// Seconds is how long sampling ran: until Stop, or until the root was
	// found reaped.
	Seconds float64
	// CPUSeconds is the CPU time the tree used while sampled, as the samples
	// saw it. It can miss the last moments of processes nobody in the tree
	// reaped; the exact figure of a finished process is in its rusage.
	CPUSeconds float64
	// SamplerCPUSeconds is the CPU time the sampler spent taking samples
	// (reading /proc and keeping the books), from the CPU clock of the
	// thread each sample ran on. It leaves out the Go runtime's cost of
	// waking the goroutine every interval, which depends on the machine
	// (BenchmarkSamplerOverhead measures both). 0 where it cannot be
	// measured (outside Linux).
	SamplerCPUSeconds float64
	// Interval is the longest interval the sampler used: the one asked for,
	// or a multiple of it where a large tree would otherwise have cost more
	// than CostBudget of a core.
	Interval time.Duration
	// Err is the first error met while sampling, if any. Sampling goes on
	// after an error; processes that vanish while being read are not errors.
	Err error
}

// Sampler samples a process tree in a goroutine of its own until Stop.
type Sampler struct {
	r        treeReader
	interval time.Duration
	stride   int // samples per CPU window
	start    time.Time
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	now      chan chan struct{} // Sample's requests
	ended    chan struct{}      // closed when sampling has ended

	// Owned by the sampling goroutine until done is closed.
	ser      series
	report   Report
	cpuTicks uint64
	lastCPU  float64 // seconds since start of the last CPU reading
	rootGone bool
	sinceCPU int
}

// Start starts sampling the tree rooted at pid (pid and all its descendants)
// every interval, DefaultInterval if interval is 0. The first sample is taken
// before Start returns, so an error means there was nothing to sample.
// Sampling stops by itself when pid is reaped; Stop must still be called.
//
// There is no context: the caller owns the process, knows when it ends, and
// calls Stop; a context would only add a second way to stop.
func Start(pid int, interval time.Duration) (*Sampler, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("measure: sample pid %d: %w", pid, ErrInvalidPID)
	}
	if interval < 0 {
		return nil, fmt.Errorf("measure: sample pid %d every %v: %w", pid, interval, ErrInvalidInterval)
	}
	if interval == 0 {
		interval = DefaultInterval
	}
	start := time.Now()
	r, first, err := newTreeReader(pid)
	if err != nil {
		return nil, fmt.Errorf("measure: sample pid %d: %w", pid, err)
	}
	return startReader(r, first, start, interval), nil
}

// startReader starts sampling with a reader already holding its first
// reading, taken at start.
func startReader(r treeReader, first reading, start time.Time, interval time.Duration) *Sampler {
	s := &Sampler{
		r:        r,
		interval: interval,
		stride:   max(1, int((cpuWindow+interval-1)/interval)),
		start:    start,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		now:      make(chan chan struct{}),
		ended:    make(chan struct{}),
	}
	s.record(0, first, nil, true)
	go s.run()
	return s
}

// Sample takes a sample now, with a PSS pass, and returns once it is
// recorded (at once if sampling has ended). For the moment a process has
// done its work and waits to exit: a short one can get there before the
// ticker's first sample, and its only PSS pass would then be the one taken
// at Start, as it began to run.
func (s *Sampler) Sample() {
	ack := make(chan struct{})
	select {
	case s.now <- ack:
		<-ack
	case <-s.ended:
	}
}

// Stop stops sampling, takes a last sample if the root is still there, and
// returns the report. It may be called any number of times, from any
// goroutine, before or after the process exits or is reaped.
func (s *Sampler) Stop() Report {
	s.once.Do(func() { close(s.stop) })
	<-s.done
	return s.report
}

func (s *Sampler) run() {
	defer close(s.done)
	ticker := time.NewTicker(s.interval)
	current := s.interval
	s.report.Interval = current
	// The budget is held on the mean cost per sample so far: the first
	// samples of a tree (a full /proc listing, processes still starting)
	// cost more than the steady state and must not stretch it alone.
	const settle = 10
	var spent float64
	taken := 0
sampling:
	for !s.rootGone {
		select {
		case <-s.stop:
			s.take(true)
			break sampling
		case ack := <-s.now:
			s.r.passNext()
			s.take(false)
			close(ack)
			continue
		case <-ticker.C:
		}
		s.sinceCPU++
		spent += s.take(s.sinceCPU >= s.stride)
		if taken++; taken < settle {
			continue
		}
		if next := s.fitBudget(spent / float64(taken)); next != current {
			current = next
			ticker.Reset(current)
			s.report.Interval = max(s.report.Interval, current)
		}
	}
	close(s.ended)
	ticker.Stop()
	s.r.close()
	s.report.Seconds = time.Since(s.start).Seconds()
	<-s.stop

	s.report.CPUSeconds = float64(s.cpuTicks) / s.r.ticksPerSecond()
	s.report.Samples = s.ser.thin(MaxPoints)
}

// fitBudget is the shortest multiple of the asked interval at which samples
// costing cost seconds each stay within CostBudget of a core.
func (s *Sampler) fitBudget(cost float64) time.Duration {
	need := time.Duration(cost / CostBudget * float64(time.Second))
	if need <= s.interval {
		return s.interval
	}
	return (need + s.interval - 1) / s.interval * s.interval
}

// take reads the tree once, records it and returns what it cost in CPU
// seconds, PSS passes left out (0 where the thread's CPU clock cannot be
// read).
func (s *Sampler) take(withCPU bool) (cost float64) {
	// Held on one thread for the sample, so that the thread's CPU clock
	// measures the sample alone. Only for the sample: a goroutine locked for
	// good makes every wake-up a hand-over between two threads.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if cpu0, ok := threadCPU(); ok {
		defer func() {
			if cpu1, ok := threadCPU(); ok && cpu1 >= cpu0 {
				s.report.SamplerCPUSeconds += cpu1 - cpu0
				cost = max(cost+cpu1-cpu0, 0)
			} else {
				cost = 0
			}
		}()
	}
	t := time.Since(s.start).Seconds()
	rd, err := s.r.sample(withCPU)
	if rd.rootGone && !withCPU {
		// Close the CPU window on what is left, so that its samples
		// get a figure.
		last, lastErr := s.r.sample(true)
		rd.cpuTicks, withCPU = last.cpuTicks, true
		rd.pssCost += last.pssCost
		err = firstOf(err, lastErr)
	}
	s.record(t, rd, err, withCPU)
	// PSS passes keep to a budget of their own: leave them out of the
	// cost that sets the interval.
	return -rd.pssCost // the deferred func above adds the sample's whole cost
}

func (s *Sampler) record(t float64, rd reading, err error, withCPU bool) {
	if err != nil && s.report.Err == nil {
		s.report.Err = fmt.Errorf("measure: sample: %w", err)
	}
	s.rootGone = s.rootGone || rd.rootGone
	if rd.procs == 0 {
		// No live process: the root has exited (reaped, a zombie, or
		// between releasing its memory and becoming one) and left no
		// descendant running. That is the end of the tree, not a sample
		// of it: a point of zero processes and zero bytes would end the
		// series with a tree that never existed. Its CPU still counts.
		if withCPU {
			s.closeWindow(t, rd.cpuTicks)
		}
		return
	}
	s.report.SampleCount++
	s.report.PeakRSSBytes = max(s.report.PeakRSSBytes, rd.rssBytes)
	s.report.PeakPSSBytes = max(s.report.PeakPSSBytes, rd.pssBytes)
	s.report.PeakProcesses = max(s.report.PeakProcesses, rd.procs)
	s.ser.add(t, rd.rssBytes, rd.pssBytes, rd.procs)
	if withCPU {
		s.closeWindow(t, rd.cpuTicks)
	}
}

// closeWindow turns the ticks counted since the last CPU reading into
// percent of one core over that window. The first sample, at Start, opens
// the first window and has no figure of its own.
func (s *Sampler) closeWindow(t float64, ticks uint64) {
	s.sinceCPU = 0
	s.cpuTicks += ticks
	dt := t - s.lastCPU
	pct := 0.0
	if dt > 0 {
		pct = float64(ticks) / s.r.ticksPerSecond() / dt * 100
	}
	s.ser.closeWindow(pct)
	s.lastCPU = t
}
