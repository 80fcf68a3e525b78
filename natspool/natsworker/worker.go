package natsworker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
	"github.com/poolbench/poolbench/natspool/internal/wire"
	"github.com/poolbench/poolbench/procpool"
	"golang.org/x/sys/unix"
)

// A worker process is an executable that imports this package started in
// the nats-worker role: procpool.ServeRole, called first thing in main,
// serves it.
func init() { procpool.MustRegisterRole(wire.RoleWorker, serveWorker) }

// serveWorker serves a pool from the worker process spec describes (a
// wire.WorkerEnv, as JSON), until the pool or its connection goes.
func serveWorker(spec string) error {
	// The owner decides what happens to its workers on Ctrl-C.
	signal.Ignore(syscall.SIGINT)
	var env wire.WorkerEnv
	if err := json.Unmarshal([]byte(spec), &env); err != nil {
		return fmt.Errorf("natspool: worker %d: role spec: %w", os.Getpid(), err)
	}
	// A worker the pool started itself dies with the pool's process; one
	// started by a remote host must watch for the pool's silence. A host
	// names its workers itself, to know which one its pool asks it to
	// replace.
	watchOwner := env.ID == "" || env.Host != ""
	if env.ID == "" {
		env.ID = nuid.Next()
	}
	closed := make(chan struct{})
	// A worker's connection is its pool: when it goes, so does the worker.
	nc, err := nats.Connect(env.URL,
		nats.Name(fmt.Sprintf("poolbench worker %d", os.Getpid())),
		nats.NoReconnect(),
		nats.ClosedHandler(func(*nats.Conn) { close(closed) }),
	)
	if err != nil {
		return fmt.Errorf("natspool: worker %d: connect to %s: %w", os.Getpid(), env.URL, err)
	}
	defer nc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	err = serve(ctx, nc, env, watchOwner)
	if errors.Is(err, errKilled) || errors.Is(err, context.Canceled) {
		return nil
	}
	if watchOwner && errors.Is(err, ErrNoPool) {
		// A host started it for a pool that has finished since: there
		// is nothing to serve, and nothing went wrong.
		return nil
	}
	if errors.Is(err, nats.ErrConnectionClosed) {
		// The server went while the answer to this worker's hello or
		// ready was still on its way (a pool that finished meanwhile,
		// perhaps with this worker's tasks already run): the worker goes
		// with it cleanly, as it does when that happens while it serves.
		// A connection the server ended for a reason is reported.
		if last := nc.LastError(); last != nil && !errors.Is(last, io.EOF) {
			return fmt.Errorf("%w: %v", err, last)
		}
		return nil
	}
	return err
}

// Serve runs tasks for the pool poolID through nc until the pool tells the
// worker to stop or to exit (nil: it closed, it was terminated, or it gave
// up on this worker, a task past its TaskTimeout), the pool falls silent
// (ErrPoolGone) or ctx ends. id names the worker's task subject and must
// be unique on the server. Tasks run one at a time, on nc's delivery
// goroutine for the subject; a task running when Serve returns runs on
// there to its end, its result dropped.
func Serve(ctx context.Context, nc *nats.Conn, poolID, id string) error {
	err := serve(ctx, nc, wire.WorkerEnv{Pool: poolID, ID: id}, true)
	if errors.Is(err, errKilled) {
		return nil
	}
	return err
}

// serve serves the pool env names as the worker env.ID; env.Host, if set,
// is the host that started it.
func serve(ctx context.Context, nc *nats.Conn, env wire.WorkerEnv, watchOwner bool) error {
	poolID, id := env.Pool, env.ID
	prefix := wire.SubjectRoot + "." + poolID
	s := &serving{nc: nc, res: prefix + ".res", done: make(chan error, 1), base: time.Now()}
	s.lastOwner.Store(time.Now().UnixNano())
	tasks, err := nc.Subscribe(prefix+".w."+id, s.onTask)
	if err != nil {
		return fmt.Errorf("natspool: worker: subscribe: %w", err)
	}
	defer tasks.Unsubscribe()
	tasks.SetPendingLimits(-1, -1)
	ctl, err := nc.Subscribe(prefix+".ctl", s.onControl)
	if err != nil {
		return fmt.Errorf("natspool: worker: subscribe: %w", err)
	}
	defer ctl.Unsubscribe()

	host, _ := os.Hostname()
	hb, _ := json.Marshal(wire.Hello{ID: id, Host: host, CPUs: runtime.NumCPU(), PID: os.Getpid(), Protocol: wire.Protocol, HostID: env.Host})
	hctx, cancelHello := context.WithTimeout(ctx, helloTimeout)
	reply, err := nc.RequestWithContext(hctx, prefix+".hello", hb)
	cancelHello()
	if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: pool %s", ErrNoPool, poolID)
	}
	if err != nil {
		return fmt.Errorf("natspool: worker: hello: %w", err)
	}
	var wel wire.Welcome
	if err := wire.DecodeJSON(reply.Data, &wel); err != nil {
		return fmt.Errorf("natspool: worker: welcome: %w", err)
	}
	if wel.Refused == wire.RefusedClosed {
		return nil // the pool finished before this worker was needed
	}
	if wel.Refused != "" {
		// A refusal is not an absence: the pool answered, and said why.
		return fmt.Errorf("natspool: worker: pool %s refused it: %s", poolID, wel.Refused)
	}
	s.index.Store(wel.Index)
	rd := wire.Ready{Index: wel.Index}
	// A pool of another build took this worker: it says why it cannot
	// serve, as a failed initializer does, and the pool lets it go.
	if wel.Protocol != wire.Protocol {
		rd.Error = fmt.Sprintf("the worker speaks natspool protocol %d, the pool %d: run workers of the pool's build", wire.Protocol, wel.Protocol)
	} else if wel.InitFunc != "" {
		// An initializer that loads data for seconds must not pass for
		// silence: the owner gives up on a worker that sends no beat.
		stop := s.beatEvery(prefix, time.Duration(wel.Heartbeat))
		_, err := procpool.Run(wel.InitFunc, wel.InitArgs)
		stop()
		if err != nil {
			rd.Error = "initializer " + wel.InitFunc + ": " + err.Error()
		}
	}
	rd.CPU = int64(selfCPU())
	// A request, so that the owner has heard why before it sees this
	// process exit.
	b, _ := json.Marshal(rd)
	if _, err := nc.Request(prefix+".ready", b, helloTimeout); err != nil {
		if rd.Error != "" {
			// The initializer's failure is the news, heard or not.
			return fmt.Errorf("natspool: worker: %s (ready: %v)", rd.Error, err)
		}
		return fmt.Errorf("natspool: worker: ready: %w", err)
	}
	if rd.Error != "" {
		return errors.New("natspool: worker: " + rd.Error)
	}
	beat := time.Duration(wel.Heartbeat)
	t := time.NewTicker(beat)
	defer t.Stop()
	for {
		select {
		case err := <-s.done:
			// No flush round trip before going: the pool sends a stop
			// only once it holds every result this worker sent. What
			// is still buffered (a heartbeat) goes out with the
			// connection's close in a worker process, or with nats.go's
			// own flusher on the connection a caller of Serve keeps.
			return err
		case <-ctx.Done():
			return ctx.Err()
		case now := <-t.C:
			if watchOwner && now.Sub(time.Unix(0, s.lastOwner.Load())) > wire.SilenceLimit(beat) {
				return fmt.Errorf("%w: pool %s silent for %v", ErrPoolGone, poolID, now.Sub(time.Unix(0, s.lastOwner.Load())).Round(time.Millisecond))
			}
			s.sendBeat(prefix)
		}
	}
}

// sendBeat tells the owner the worker is alive, and what it runs.
func (s *serving) sendBeat(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := wire.BeatMsg{Worker: s.index.Load(), Running: s.running.Load()}
	if b.Running != 0 {
		b.Ran = int64(time.Since(s.base)) - s.since.Load()
	}
	s.beat = wire.AppendBeatMsg(s.beat[:0], b)
	s.nc.Publish(prefix+".beat", s.beat)
}

// beatEvery sends a beat every d until the returned stop is called, and
// stop returns once the last has gone.
func (s *serving) beatEvery(prefix string, d time.Duration) (stop func()) {
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				s.sendBeat(prefix)
			}
		}
	}()
	return func() { close(quit); <-done }
}

// helloTimeout bounds the wait for a pool's welcome.
const helloTimeout = 10 * time.Second

// serving is one worker's state while it serves a pool.
type serving struct {
	nc        *nats.Conn
	res       string
	index     atomic.Uint64 // the pool's name for it, once welcomed
	done      chan error
	lastOwner atomic.Int64
	running   atomic.Uint64
	since     atomic.Int64 // when it started running, after base
	base      time.Time    // a monotonic origin for since
	mu        sync.Mutex
	beat      []byte
	out       []byte // used only on the task goroutine
}

func (s *serving) finish(err error) {
	select {
	case s.done <- err:
	default:
	}
}

func (s *serving) onControl(m *nats.Msg) {
	s.lastOwner.Store(time.Now().UnixNano())
	if i, ok := wire.KillsOne(m.Data); ok {
		if i != 0 && i == s.index.Load() {
			s.finish(errKilled) // mid-task: this runs beside the task
		}
		return
	}
	if len(m.Data) != 1 {
		return
	}
	switch m.Data[0] {
	case wire.KindStop:
		s.finish(nil)
	case wire.KindKill:
		s.finish(errKilled)
	}
}

// onTask runs one task and publishes its result.
func (s *serving) onTask(m *nats.Msg) {
	if len(m.Data) == 1 {
		switch m.Data[0] {
		case wire.KindKill:
			s.finish(errKilled)
		case wire.KindStop: // retired (MaxTasksPerChild)
			s.finish(nil)
		}
		return
	}
	t, err := wire.DecodeTaskMsg(m.Data)
	if err != nil {
		return
	}
	start := time.Now()
	s.since.Store(int64(start.Sub(s.base)))
	s.running.Store(t.ID)
	value, err := procpool.RunTask(t.Fn, t.Args)
	s.running.Store(0)
	r := wire.ResultMsg{Worker: s.index.Load(), ID: t.ID, Start: start.UnixNano(), End: time.Now().UnixNano(), Payload: value}
	if err != nil {
		r.Status, r.Payload = failure(err)
	}
	s.out = wire.AppendResultMsg(s.out[:0], r)
	if over := len(s.out) - int(s.nc.MaxPayload()); over > 0 {
		if r.Status == wire.StatusOK {
			// The pool fails this task with an EncodingError, as
			// procpool's worker does one over its frame limit.
			r.Status = wire.StatusTooLarge
			r.Payload = wire.AppendTooLarge(nil, len(value), len(value)-over)
		} else {
			// A failure's own text (a deep stack, a long message) is cut to
			// fit, keeping its status: a panic is still a panic.
			r.Payload = procpool.CutFailure(r.Payload, len(r.Payload)-over, r.Status == wire.StatusPanic)
		}
		s.out = wire.AppendResultMsg(s.out[:0], r)
	}
	if err := s.nc.Publish(s.res, s.out); err != nil {
		s.finish(fmt.Errorf("natspool: worker: publish result: %w", err))
	}
}

// selfCPU is the user and system CPU this process has used so far.
func selfCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// failure is the status and payload a task's failure travels as: RunTask's
// TaskError says whether the function panicked (its stack goes too) or
// was not here at all.
func failure(err error) (byte, []byte) {
	var te *procpool.TaskError
	switch {
	case !errors.As(err, &te):
		return wire.StatusError, []byte(err.Error())
	case errors.Is(te, procpool.ErrUnknownFunc):
		return wire.StatusUnknown, []byte(te.Msg)
	case te.Stack != "":
		return wire.StatusPanic, procpool.AppendPanic(nil, strings.TrimPrefix(te.Msg, "panic: "), te.Stack)
	}
	return wire.StatusError, []byte(te.Msg)
}
