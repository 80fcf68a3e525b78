package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/poolbench/poolbench/natspool"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

// roleTrial is the role (procpool.RegisterRole) of a trial process; its
// spec is a TrialSpec, as JSON.
const roleTrial = "trial"

// A re-executed copy of the program becomes a trial process, or the far end
// of the pipe measurement, through procpool.ServeRole, called first thing in
// main.
func init() {
	procpool.MustRegisterRole(roleTrial, serveTrial)
	procpool.MustRegisterRole(rolePipeEcho, servePipeEcho)
}

// trialFD is the descriptor the trial writes its records to, leaving stdout
// and stderr to the tasks.
const trialFD = 3

// releaseFD is the descriptor the trial reads to its end before it exits,
// once it has written its outcome: the parent closes the other end after a
// last sample of the trial, which has then done all its work and is still
// there to be measured.
const releaseFD = 4

// TrialSpec is what one trial process runs.
type TrialSpec struct {
	Strategy string            `json:"strategy"`
	Workload string            `json:"workload"`
	Size     uint64            `json:"size"`
	Options  workloads.Options `json:"options,omitzero"`
	Tasks    int               `json:"tasks"`
	Workers  int               `json:"workers"`
	// MaxProcesses caps process-per-task's processes at once (0: none).
	MaxProcesses int `json:"max_processes,omitempty"`
	// ChunkSize is the *-pool-map strategies' chunk size (0: the pool's).
	ChunkSize   int              `json:"chunk_size,omitempty"`
	Faults      workloads.Faults `json:"faults,omitzero"`
	TaskTimeout time.Duration    `json:"task_timeout,omitempty"`
	// Python and PyStartMethod are for the py-* strategies.
	Python        string `json:"python,omitempty"`
	PyStartMethod string `json:"py_start_method,omitempty"`
	// NATSURL and NATSListen are for the nats-* strategies: an existing
	// server to use, or the address the embedded one listens on.
	NATSURL    string `json:"nats_url,omitempty"`
	NATSListen string `json:"nats_listen,omitempty"`
	// WorkerBinary is the executable the trial's process pools start their
	// workers from (poolbench-worker); empty: the trial's own, re-executed.
	WorkerBinary string `json:"worker_binary,omitempty"`
}

// record is one line the trial writes: progress while it runs, then the
// outcome.
type record struct {
	Done    int64               `json:"done,omitempty"`
	Outcome *strategies.Outcome `json:"outcome,omitempty"`
	Wall    float64             `json:"wall_seconds,omitempty"`
	PID     int                 `json:"pid,omitempty"`
	Error   string              `json:"error,omitempty"`
}

// serveTrial runs the trial spec describes, writing its records to
// descriptor 3.
func serveTrial(spec string) error {
	var ts TrialSpec
	if err := json.Unmarshal([]byte(spec), &ts); err != nil {
		return fmt.Errorf("harness: trial spec: %w", err)
	}
	out, err := inherited(trialFD, "trial-records")
	if err != nil {
		return err
	}
	defer out.Close()
	// Inherited descriptors are not close-on-exec: without this, every
	// process the trial starts (pool workers, a task's command, whatever
	// that leaves running) would hold the record pipe open, and the parent
	// would wait for the last of them to exit before it saw the trial end.
	syscall.CloseOnExec(trialFD)
	syscall.CloseOnExec(releaseFD)
	// The parent owns interruption: it kills this process when it must. A
	// terminal's hangup reaches the whole process group, this trial too.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP)
	release, err := inherited(releaseFD, "trial-release")
	if err != nil {
		return err
	}
	defer release.Close()
	return runTrial(context.Background(), ts, out, release)
}

// runTrial runs the trial, writes its records to out and, once it has
// written its outcome, reads release to its end before it returns.
func runTrial(ctx context.Context, ts TrialSpec, out, release *os.File) error {
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	emit := func(r record) {
		enc.Encode(r)
		w.Flush()
	}
	s, err := strategies.Lookup(ts.Strategy)
	if err != nil {
		return err
	}
	wl, err := workloads.Lookup(ts.Workload)
	if err != nil {
		return err
	}
	// What a workload prepares from its options (a program's function
	// reads and encodes its args file) is ready before the clock starts.
	if wl.CheckOptions != nil {
		if err := wl.CheckOptions(ts.Options); err != nil {
			return err
		}
	}
	plan := strategies.Plan{
		Workload: wl, Size: ts.Size, Options: ts.Options, Tasks: ts.Tasks, Workers: ts.Workers, MaxProcesses: ts.MaxProcesses,
		ChunkSize: ts.ChunkSize,
		// A run may take a pool or a process per task up to the thread
		// limit (--allow-oversubscribe): a worker aborted there says so in
		// a line, not a dump of stacks.
		PoolOptions: []procpool.Option{procpool.WorkerOutput(os.Stderr, os.Stderr), procpool.TrimThreadLimitDumps()},
		NATSOptions: natsOptions(ts),
		Faults:      ts.Faults,
		TaskTimeout: ts.TaskTimeout,
		Python:      ts.Python, PyStartMethod: ts.PyStartMethod,
	}
	if ts.WorkerBinary != "" {
		plan.PoolOptions = append(plan.PoolOptions, procpool.Command(ts.WorkerBinary))
	}
	if startsProcesses(ts.Strategy) {
		reserveThreads(trialThreads)
	}
	rec := strategies.NewRecorder()
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				emit(record{Done: rec.Done()})
			}
		}
	}()
	start := time.Now()
	rec.SetOrigin(start) // tasks finish within the wall time, not before it starts
	runErr := s.Run(ctx, plan, rec)
	wall := time.Since(start)
	if b, e, ok := rec.Span(); ok {
		wall = e.Sub(b) // the work of a strategy run by another program
	}
	close(stop)
	<-ticked
	o := rec.Outcome()
	r := record{Outcome: &o, Wall: wall.Seconds(), PID: rec.Owner()}
	if runErr != nil {
		r.Error = runErr.Error()
	}
	emit(r)
	// Exit only once the parent has taken its last sample (or is gone).
	if release != nil {
		io.Copy(io.Discard, release)
	}
	return nil
}

// natsOptions are a NATS pool's options in a trial: its workers' output
// goes where the trial's tasks' does, they are started from the run's
// worker binary if it has one, and it uses the server the run was told of,
// or listens where it was told to.
func natsOptions(ts TrialSpec) []natspool.Option {
	opts := []natspool.Option{natspool.WorkerOutput(os.Stderr, os.Stderr)}
	if ts.WorkerBinary != "" {
		opts = append(opts, natspool.Command(ts.WorkerBinary))
	}
	if ts.NATSURL != "" {
		opts = append(opts, natspool.URL(ts.NATSURL))
	}
	if ts.NATSListen != "" {
		opts = append(opts, natspool.Listen(ts.NATSListen))
	}
	return opts
}

// inherited is descriptor fd, which the parent passed, as a file; an error
// if it is not open (the role was asked for by hand).
func inherited(fd int, name string) (*os.File, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("harness: trial: descriptor %d (%s) is not open: %w", fd, name, err)
	}
	return os.NewFile(uintptr(fd), name), nil
}
