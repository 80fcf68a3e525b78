package procpool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/poolbench/poolbench/internal/starter"
)

type poolState int

const (
	stateRunning poolState = iota
	stateClosed
	stateTerminated
)

// Spawn is one worker start: from the start call to the worker's ready
// handshake. This is the process-creation ("fork") overhead of the pool.
// A start is listed as soon as the process exists; Duration stays zero
// until its handshake, and for a worker that never got ready.
type Spawn struct {
	PID      int
	Start    time.Time
	Duration time.Duration
	// CPU is the user and system CPU the worker used to get ready, as its
	// own getrusage said at the handshake (zero until then).
	CPU time.Duration
}

// SpawnSample is how many worker starts Stats lists one by one: a pool that
// retires a worker after every task starts one per task, and the list must
// not grow with it. The counts and sums in Stats cover every start.
const SpawnSample = 1024

var spawnSample = SpawnSample // lowered by tests

// Pool is a fixed number of worker processes running tasks by name.
// It is safe for concurrent use.
type Pool struct {
	cfg     config
	handler *handler

	mu     sync.Mutex
	state  poolState
	queue  []*AsyncResult // submitted, not yet sent to a worker
	procs  []*proc        // live workers, in start order
	nextID uint64
	// avgRun is a moving average of task run time in ns, for the adaptive
	// prefetch; 0 until the first result.
	avgRun       float64
	spawns       []Spawn // the first SpawnSample starts
	starts       int     // every start
	readyStarts  int     // starts that reached the handshake
	startTime    time.Duration
	startCPU     time.Duration
	replaced     int
	startFails   int
	retries      map[*time.Timer]struct{} // start retries waiting for their time
	broken       error                    // set when no worker can be started at all
	callbackErrs []error
	callbackN    int

	// inline, when not nil, collects the workers that dispatchLocked gave
	// tasks to, for the submitting goroutine to write to itself.
	inline    []*proc
	inlineBuf [4]*proc

	spinning atomic.Bool // an Apply caller is polling for its result

	procWG   sync.WaitGroup // one per live worker's lifecycle goroutine
	watchdog chan struct{}
	stopOnce sync.Once

	spares spareBuffers // recycled result buffers (Recycle)

	starter        *starter.Lease // where worker starts run
	stdout, stderr io.Writer
}

// New starts a pool of workers; 0 means one per usable CPU (GOMAXPROCS),
// as Python's Pool() does. Like Python's Pool(), it does not wait for
// all of them: tasks go to each worker as soon as it is ready, so a pool's
// start-up overlaps its first tasks. It does wait for the first worker's
// handshake, so that a worker that cannot start at all (a missing binary, a
// failing initializer) is an error here, with the others stopped.
func New(workers int, opts ...Option) (*Pool, error) {
	if err := CheckRoleServed(); err != nil {
		return nil, err
	}
	cfg, err := newConfig(workers, opts)
	if err != nil {
		return nil, err
	}
	p := &Pool{
		cfg:     cfg,
		procs:   make([]*proc, 0, cfg.workers),
		starter: starter.Acquire(),
	}
	// Enough for the results read while the callers handle the last few.
	p.spares.max = 2*cfg.workers + 2
	p.stdout, p.stderr = serialised(cfg.stdout, cfg.stderr)
	p.handler = newHandler(p)
	started, startErr := p.startAll()
	if startErr == nil {
		type handshake struct {
			i   int
			pid int
			err error
		}
		first := make(chan handshake, len(started))
		for i, pr := range started {
			go func() { first <- handshake{i, pr.pid, <-pr.ready} }()
		}
		if h := <-first; h.err != nil {
			startErr = fmt.Errorf("procpool: start worker %d (pid %d): %w", h.i, h.pid, h.err)
		}
	}
	if startErr != nil {
		p.Terminate()
		p.Join()
		return nil, startErr
	}
	if cfg.taskTimeout > 0 {
		p.watchdog = make(chan struct{})
		go p.watch()
	}
	return p, nil
}

// startAll starts the pool's workers, from as many goroutines as there are
// starter threads: a start blocks its thread until the child has exec'd,
// and the children's exec and start-up can overlap on other CPUs.
func (p *Pool) startAll() ([]*proc, error) {
	n := p.cfg.workers
	lanes := min(n, runtime.GOMAXPROCS(0))
	started := make([]*proc, n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if started[i], errs[i] = p.startProc(); errs[i] != nil {
					next.Store(int64(n)) // start no more
					return
				}
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("procpool: start worker %d: %w", i, err)
		}
	}
	return started, nil
}

// Workers is the pool's size.
func (p *Pool) Workers() int { return p.cfg.workers }

// ApplyAsync submits a task and returns at once. onSuccess runs with the
// result when the task succeeds, onError when it fails; either may be nil.
// Both run in this process, one at a time, on the pool's result goroutine.
func (p *Pool) ApplyAsync(t Task, onSuccess, onError Callback) (*AsyncResult, error) {
	a := p.newAsync(t, onSuccess, onError, nil)
	if err := p.submit(a); err != nil {
		return nil, err
	}
	return a, nil
}

func (p *Pool) newAsync(t Task, onSuccess, onError Callback, notify chan<- *AsyncResult) *AsyncResult {
	return &AsyncResult{task: t, onSuccess: onSuccess, onError: onError, notify: notify, done: make(chan struct{})}
}

// submit queues tasks and hands as many as fit to workers, writing them to
// the workers' pipes from the calling goroutine as far as that cannot block;
// the workers' writer goroutines send the rest.
func (p *Pool) submit(as ...*AsyncResult) error {
	if !p.cfg.lendArgs {
		copyArgs(as)
	}
	now := time.Now()
	p.mu.Lock()
	switch {
	case p.state != stateRunning:
		p.mu.Unlock()
		return ErrPoolClosed
	case p.broken != nil:
		p.mu.Unlock()
		return fmt.Errorf("procpool: no worker can start: %w", p.broken)
	case p.cfg.noRespawn && !p.canTakeTasksLocked():
		p.mu.Unlock()
		return ErrNoWorkers
	}
	for _, a := range as {
		if len(a.task.Func) > 0xffff || taskFrameLen(a.task.Func, a.task.Args) > p.cfg.maxFrame {
			p.mu.Unlock()
			what := "task"
			if a.chunkOf != "" {
				what = "chunk of" // named after the function mapped, as its other failures are
			}
			return fmt.Errorf("%w: %s %.40q with %d bytes of arguments, limit %d", ErrFrameTooLarge, what, a.funcName(), len(a.task.Args), p.cfg.maxFrame)
		}
	}
	for _, a := range as {
		p.nextID++
		a.id = p.nextID
		a.result.Submitted = now
		p.queue = append(p.queue, a)
	}
	p.dispatchAndWriteLocked()
	return nil
}

// copyArgs gives the pool its own copy of the tasks' arguments, in one
// allocation, so the caller may reuse its buffers once the call returns: a
// task may wait in the queue, or be sent again after its worker died before
// starting it.
func copyArgs(as []*AsyncResult) {
	n := 0
	for _, a := range as {
		if !a.ownArgs {
			n += len(a.task.Args)
		}
	}
	if n == 0 {
		return
	}
	// bytes.Join allocates without zeroing what it copies over.
	parts := make([][]byte, 0, len(as))
	for _, a := range as {
		if a.task.Args != nil && !a.ownArgs {
			parts = append(parts, a.task.Args)
		}
	}
	buf := bytes.Join(parts, nil)
	for _, a := range as {
		if a.task.Args != nil && !a.ownArgs {
			n := len(a.task.Args)
			a.task.Args, buf = buf[:n:n], buf[n:]
		}
	}
}

func (p *Pool) callbackPanicked(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.callbackN++
	if len(p.callbackErrs) < 100 {
		p.callbackErrs = append(p.callbackErrs, err)
	}
}

// Stats is a snapshot of what the pool has done.
type Stats struct {
	// Spawns lists the first SpawnSample worker starts one by one,
	// replacements included, each from the moment its process exists.
	Spawns []Spawn
	// Starts counts every worker start; Ready those that reached their
	// handshake, whose start-to-ready times and CPU sum to StartTime and
	// StartCPU.
	Starts, Ready       int
	StartTime, StartCPU time.Duration
	// Replaced counts workers started to replace one that died or retired.
	Replaced int
	// CallbackPanics counts callbacks that panicked; CallbackErr joins the
	// first hundred of them.
	CallbackPanics int
	CallbackErr    error
}

// Stats returns what the pool has done so far.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{
		Spawns:         append([]Spawn(nil), p.spawns...),
		Starts:         p.starts,
		Ready:          p.readyStarts,
		StartTime:      p.startTime,
		StartCPU:       p.startCPU,
		Replaced:       p.replaced,
		CallbackPanics: p.callbackN,
		CallbackErr:    errors.Join(p.callbackErrs...),
	}
}

// PIDs lists the live workers' pids.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	pids := make([]int, 0, len(p.procs))
	for _, pr := range p.procs {
		pids = append(pids, pr.pid)
	}
	return pids
}
