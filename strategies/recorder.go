package strategies

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/poolbench/poolbench/procpool"
)

// Recorder collects what happens to each task. It is safe for concurrent
// use, and its memory does not grow with the task count: latencies go into
// a fixed histogram and results into a running checksum.
type Recorder struct {
	done atomic.Int64

	// created is when the batch started: the recorder is made just before
	// the strategy runs (or told when it starts, SetOrigin), and finish
	// holds each task's end since then.
	created time.Time

	mu           sync.Mutex
	latency      Histogram
	finish       Histogram
	checksum     [sha256.Size]byte
	errors       int
	errorKinds   map[string]int
	errorSamples []string
	spawns       []time.Duration // start-to-ready, for the starts a pool lists
	spawnCPU     []time.Duration // the CPU each of those used to get ready
	spawnCount   int             // every start, listed or not
	callbackPIDs map[int]bool
	workerPIDs   map[int]bool
	// span and owner are set by strategies whose tasks run under another
	// program (see SetSpan and SetOwner).
	spanBegin, spanEnd time.Time
	owner              int
	finishUnknown      bool // see FinishTimesUnknown
	// nats* and hosts are set by the NATS pool strategies.
	natsServer string
	natsStart  time.Duration
	hosts      map[string]int
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{created: time.Now(), errorKinds: map[string]int{}, callbackPIDs: map[int]bool{}, workerPIDs: map[int]bool{}}
}

// SetOrigin sets the time the strategy's run starts at, from which tasks'
// finishing times are counted, as its wall time is (a strategy run by
// another program: that program's span, SetSpan); the recorder's creation
// otherwise. It must come before any task is recorded.
func (r *Recorder) SetOrigin(t time.Time) {
	r.mu.Lock()
	r.created = t
	r.mu.Unlock()
}

// FinishTimesUnknown says the strategy's results reach it together at its
// end, as CPython's Pool.map hands them back, so that their finishing
// times say nothing of when each task ended: none is reported.
func (r *Recorder) FinishTimesUnknown() {
	r.mu.Lock()
	r.finishUnknown = true
	r.mu.Unlock()
}

// Task records task index's outcome and its latency (submission to result),
// finished now.
func (r *Recorder) Task(index int, value []byte, err error, latency time.Duration) {
	r.TaskAt(index, value, err, latency, time.Now())
}

// TaskAt is Task for a result that reached this process at done but is
// recorded later, as Map's are when the whole batch returns: the finishing
// time is when the task's result arrived, not when it was handed over.
func (r *Recorder) TaskAt(index int, value []byte, err error, latency time.Duration, done time.Time) {
	if done.IsZero() {
		done = time.Now()
	}
	var h [sha256.Size]byte
	if err == nil {
		// Fold sha256(index, value) into an order-free checksum: equal only
		// if the same tasks produced the same values.
		d := sha256.New()
		var ib [8]byte
		binary.LittleEndian.PutUint64(ib[:], uint64(index))
		d.Write(ib[:])
		d.Write(valueDigest(value))
		d.Sum(h[:0])
	}
	r.mu.Lock()
	r.latency.Add(latency)
	r.finish.Add(done.Sub(r.created))
	if err != nil {
		r.errors++
		r.errorKinds[ErrorKind(err)]++
		if len(r.errorSamples) < 5 {
			r.errorSamples = append(r.errorSamples, sampleOf(err))
		}
	} else {
		for i := range h {
			r.checksum[i] ^= h[i]
		}
	}
	r.mu.Unlock()
	r.done.Add(1)
}

// Spawn records one process start, from the start call to its readiness,
// where the CPU it used to get ready is not known (recorded as 0).
func (r *Recorder) Spawn(d time.Duration) {
	r.mu.Lock()
	r.spawns = append(r.spawns, d)
	r.spawnCPU = append(r.spawnCPU, 0)
	r.spawnCount++
	r.mu.Unlock()
}

// Spawns records a pool's worker starts: every one in the count, and the
// ones it lists (a bounded sample) one by one, each with its start-to-ready
// time and the CPU it used to get ready. A start that never got ready has
// no time to record.
func (r *Recorder) Spawns(st procpool.Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spawnCount += st.Starts
	for _, s := range st.Spawns {
		if s.Duration > 0 {
			r.spawns = append(r.spawns, s.Duration)
			r.spawnCPU = append(r.spawnCPU, s.CPU)
		}
	}
}

// CallbackPID records the pid of a process that ran a result callback.
func (r *Recorder) CallbackPID(pid int) {
	r.mu.Lock()
	r.callbackPIDs[pid] = true
	r.mu.Unlock()
}

// WorkerPID records the pid of the worker process that ran a task, as the
// pool reports it with the task's result: set beside the callbacks' pids, it
// shows whether a callback ran where its task did.
func (r *Recorder) WorkerPID(pid int) {
	if pid == 0 {
		return // no worker ran the task
	}
	r.mu.Lock()
	r.workerPIDs[pid] = true
	r.mu.Unlock()
}

// SetSpan bounds the strategy's own work when it runs in another program
// whose start-up and exit are not the strategy's cost, as the trial's own
// start-up is not a Go strategy's: the trial's wall time is end - begin.
func (r *Recorder) SetSpan(begin, end time.Time) {
	r.mu.Lock()
	r.spanBegin, r.spanEnd = begin, end
	r.mu.Unlock()
}

// Span is what SetSpan set; ok is false if it was not.
func (r *Recorder) Span() (begin, end time.Time, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.spanBegin, r.spanEnd, !r.spanBegin.IsZero() && r.spanEnd.After(r.spanBegin)
}

// SetOwner records the pid of the process that owned the pool and ran the
// callbacks, when that is not this process (a Python interpreter).
func (r *Recorder) SetOwner(pid int) {
	r.mu.Lock()
	r.owner = pid
	r.mu.Unlock()
}

// Owner is the pid SetOwner recorded, or this process's.
func (r *Recorder) Owner() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.owner != 0 {
		return r.owner
	}
	return os.Getpid()
}

// NATSServer records the kind of NATS server a pool used (embedded or
// external) and how long the embedded one took to start.
func (r *Recorder) NATSServer(kind string, start time.Duration) {
	r.mu.Lock()
	r.natsServer, r.natsStart = kind, start
	r.mu.Unlock()
}

// Host records that a host's workers served tasks of a NATS pool.
func (r *Recorder) Host(name string, tasks int) {
	r.mu.Lock()
	if r.hosts == nil {
		r.hosts = map[string]int{}
	}
	r.hosts[name] += tasks
	r.mu.Unlock()
}

// Done is how many tasks have been recorded so far.
func (r *Recorder) Done() int64 { return r.done.Load() }

// Outcome is a Recorder's summary.
type Outcome struct {
	Tasks        int            `json:"tasks"`
	Latency      []float64      `json:"latency_quantiles"` // p50, p90, p95, p99 in seconds
	LatencyMean  float64        `json:"latency_mean"`
	LatencyMin   float64        `json:"latency_min"`
	LatencyMax   float64        `json:"latency_max"`
	Checksum     string         `json:"checksum"`
	Errors       int            `json:"errors"`
	ErrorKinds   map[string]int `json:"error_kinds,omitempty"`
	ErrorSamples []string       `json:"error_samples,omitempty"`
	Spawns       []float64      `json:"spawn_seconds,omitempty"`     // a sample: see SpawnCount
	SpawnCPU     []float64      `json:"spawn_cpu_seconds,omitempty"` // CPU to get ready, by Spawns' entry; 0: not measured
	SpawnCount   int            `json:"spawn_count,omitempty"`       // every process started
	CallbackPIDs []int          `json:"callback_pids,omitempty"`
	WorkerPIDs   []int          `json:"worker_pids,omitempty"`
	// Finish holds the quantiles 0, 5%, ..., 100% of the tasks' finishing
	// times since the batch started (a CDF), when this process saw each
	// task end as it happened.
	Finish []float64 `json:"finish_quantiles,omitempty"`
	// NATSServer is "embedded" or "external" for a NATS pool strategy;
	// NATSServerStart the embedded server's start-up, in seconds, which
	// the wall time includes; Hosts the tasks each host's workers served.
	NATSServer      string         `json:"nats_server,omitempty"`
	NATSServerStart float64        `json:"nats_server_start_seconds,omitempty"`
	Hosts           map[string]int `json:"hosts,omitempty"`
}

// FinishSteps is how many quantiles Outcome.Finish holds: every 5%.
const FinishSteps = 21

// Outcome summarises what was recorded.
func (r *Recorder) Outcome() Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := Outcome{
		Tasks:        int(r.done.Load()),
		LatencyMean:  r.latency.Mean().Seconds(),
		LatencyMin:   r.latency.Min().Seconds(),
		LatencyMax:   r.latency.Max().Seconds(),
		Checksum:     fmt.Sprintf("%x", r.checksum[:8]),
		Errors:       r.errors,
		ErrorSamples: r.errorSamples,
	}
	for _, q := range []float64{0.50, 0.90, 0.95, 0.99} {
		o.Latency = append(o.Latency, r.latency.Quantile(q).Seconds())
	}
	if len(r.errorKinds) > 0 {
		o.ErrorKinds = r.errorKinds
	}
	if r.finish.Count() > 0 && !r.finishUnknown {
		for i := range FinishSteps {
			o.Finish = append(o.Finish, max(r.finish.Quantile(float64(i)/(FinishSteps-1)), 0).Seconds())
		}
	}
	for i, d := range r.spawns {
		o.Spawns = append(o.Spawns, d.Seconds())
		o.SpawnCPU = append(o.SpawnCPU, r.spawnCPU[i].Seconds())
	}
	o.SpawnCount = r.spawnCount
	for pid := range r.callbackPIDs {
		o.CallbackPIDs = append(o.CallbackPIDs, pid)
	}
	sort.Ints(o.CallbackPIDs)
	for pid := range r.workerPIDs {
		o.WorkerPIDs = append(o.WorkerPIDs, pid)
	}
	sort.Ints(o.WorkerPIDs)
	o.NATSServer, o.NATSServerStart = r.natsServer, r.natsStart.Seconds()
	if len(r.hosts) > 0 {
		o.Hosts = maps.Clone(r.hosts)
	}
	return o
}

// StartFailed is the error kind of a task whose process could not be
// started: the machine's limits, not the task, failed it.
const StartFailed = "start"

// ErrorKind classifies a task error for the breakdown in results.json:
// start (its process could not be started: EAGAIN, EMFILE, ENOMEM), crash (the process running it died), lost (it finished, but its result
// died unsent with its worker, which a later task crashed: a pool runs a
// task at most once, so it is not run again), timeout (killed for running
// too long), terminated, or error (the task itself failed); an error that
// names its own kind (the py-* strategies': hung, lost, ...) keeps it.
func ErrorKind(err error) string {
	var died *procpool.WorkerDiedError
	var timeout *procpool.TimeoutError
	var panicked *PanicError
	var kinded interface{ ErrorKind() string }
	switch {
	case errors.As(err, &kinded):
		return kinded.ErrorKind()
	case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE), errors.Is(err, syscall.ENOMEM):
		return StartFailed
	case errors.As(err, &timeout), errors.Is(err, ErrTaskTimeout):
		return "timeout"
	case errors.As(err, &died) && died.Finished:
		return "lost"
	case errors.As(err, &died), errors.As(err, &panicked):
		return "crash"
	case errors.Is(err, procpool.ErrTerminated):
		return "terminated"
	}
	return "error"
}

// hashInFull is the largest value the checksum hashes byte for byte.
const hashInFull = 4 << 10

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// valueDigest is what the checksum folds in of a task's value: the value
// itself up to hashInFull bytes (cpu's digest, alloc's sum), else its
// length and two independent CRC-32s (IEEE and Castagnoli, both in
// hardware). SHA-256 runs at well under a gigabyte a second here, so
// hashing a megabyte payload in full would cost more than moving it and
// swamp the figure the payload workload exists to measure; two CRCs still
// catch any corrupted, swapped or skipped result short of a deliberate
// collision.
func valueDigest(value []byte) []byte {
	if len(value) <= hashInFull {
		return value
	}
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(len(value)))
	binary.LittleEndian.PutUint32(b[8:12], crc32.ChecksumIEEE(value))
	binary.LittleEndian.PutUint32(b[12:], crc32.Checksum(value, castagnoli))
	return b[:]
}

// maxErrorSample bounds the length of an error sample: a task's error can
// carry anything (a whole stderr, a stack), and the outcome holding the
// samples travels as one line.
const maxErrorSample = 1 << 10

// sampleOf is err's message, cut to maxErrorSample bytes on a rune boundary.
func sampleOf(err error) string {
	msg := err.Error()
	if len(msg) <= maxErrorSample {
		return msg
	}
	cut := maxErrorSample
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + " …(cut)"
}
