package natspool

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
	"github.com/poolbench/poolbench/internal/starter"
	"github.com/poolbench/poolbench/natspool/internal/wire"
)

// HostConfig configures ServeHost.
type HostConfig struct {
	// URL is the server the pools use, as this host reaches it.
	URL string
	// Procs is how many worker processes this host gives each pool.
	Procs int
	// Path and Args are the worker executable (default: this one), which
	// must call procpool.ServeRole first thing.
	Path string
	Args []string
	// Stdout and Stderr receive the workers' output; Events, if set, one
	// line per worker started or ended.
	Stdout, Stderr, Events io.Writer
	// Grace is how long the server may be out of reach (it restarts, or a
	// run goes from one trial's embedded server to the next) before
	// ServeHost gives up (default 30s).
	Grace time.Duration
}

// ServeHost serves the pools on a server from this host: for each pool it
// finds (already running, or announced later) it starts Procs worker
// processes, which exit when their pool is gone. It returns when ctx ends
// (killing its workers; the pools redeliver their tasks), with
// ErrServerLost when the server is out of reach longer than Grace, or with
// an error saying no server answered if none did within Grace of the start.
func ServeHost(ctx context.Context, cfg HostConfig) error {
	if cfg.Procs < 1 {
		return fmt.Errorf("natspool: host: %d procs: want at least 1", cfg.Procs)
	}
	if cfg.Path == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("natspool: host: find own executable: %w", err)
		}
		cfg.Path = exe
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 30 * time.Second
	}
	for _, w := range []*io.Writer{&cfg.Stdout, &cfg.Stderr, &cfg.Events} {
		if *w == nil {
			*w = io.Discard
		}
	}
	h := &host{cfg: cfg, id: nuid.Next(), pools: map[string]*hostPool{}, procs: map[string]*hostProc{}}
	found := make(chan string, 64)
	// reached: a server answered once, however briefly.
	var reached atomic.Bool
	discover := func(nc *nats.Conn) {
		reached.Store(true)
		inbox := nats.NewInbox()
		sub, err := nc.Subscribe(inbox, func(m *nats.Msg) { h.found(m.Data, found) })
		if err != nil {
			return
		}
		nc.PublishRequest(wire.SubjectDiscover, inbox, nil)
		// Pools answer within a round trip; the announcement covers the
		// ones that start later.
		time.AfterFunc(5*time.Second, func() { sub.Unsubscribe() })
	}
	nc, err := nats.Connect(cfg.URL,
		nats.Name("poolbench host"),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(100*time.Millisecond),
		nats.ConnectHandler(discover),
		nats.ReconnectHandler(discover),
	)
	if err != nil {
		return fmt.Errorf("natspool: host: connect to %s: %w", cfg.URL, err)
	}
	defer nc.Close()
	if _, err := nc.Subscribe(wire.SubjectAnnounce, func(m *nats.Msg) { h.found(m.Data, found) }); err != nil {
		return fmt.Errorf("natspool: host: subscribe: %w", err)
	}
	if _, err := nc.Subscribe(wire.HostSubject(h.id), h.onReplace); err != nil {
		return fmt.Errorf("natspool: host: subscribe: %w", err)
	}
	h.rediscover = func() {
		if nc.IsConnected() {
			discover(nc)
		}
	}
	h.nc = nc
	h.rediscover()
	defer h.stopAll()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	out := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-found:
			if err := h.serve(id); err != nil {
				return err
			}
		case now := <-t.C:
			switch {
			case nc.IsConnected():
				out = now
			case now.Sub(out) <= cfg.Grace:
			case !reached.Load():
				// Not "lost": a wrong address or port is the likelier cause.
				return fmt.Errorf("natspool: host: no server answered at %s in %v", cfg.URL, cfg.Grace)
			default:
				return fmt.Errorf("%w at %s for %v", ErrServerLost, cfg.URL, cfg.Grace)
			}
		}
	}
}

// host is ServeHost's state: the pools served and the live workers.
type host struct {
	cfg HostConfig
	id  string // names its subject (wire.HostSubject) in its workers' hellos
	nc  *nats.Conn
	// rediscover asks the server's pools to answer again.
	rediscover func()
	mu         sync.Mutex
	pools      map[string]*hostPool
	procs      map[string]*hostProc // by worker ID
	stopping   bool                 // stopAll has begun: start nothing more
	wg         sync.WaitGroup
}

// hostPool is a pool the host serves: how many of its workers live (and
// were not given up on), and the connection's reconnect count when the
// host took the pool on.
type hostPool struct {
	live  int
	epoch uint64
}

// hostProc is one worker process of the host's.
type hostProc struct {
	cmd     *exec.Cmd
	pool    *hostPool
	givenUp bool // its pool asked for another in its place
}

func (h *host) found(data []byte, found chan<- string) {
	var info wire.PoolInfo
	if wire.DecodeJSON(data, &info) != nil || info.ID == "" {
		return
	}
	select {
	case found <- info.ID:
	default: // a burst of pools; the rest are found on the next discovery
	}
}

// serve starts the host's workers for a pool it does not serve yet, and
// tops up one it serves with fewer than Procs: a replacement its pool
// asked for while this host was cut off from the server never came.
func (h *host) serve(pool string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	live := 0
	if hp := h.pools[pool]; hp != nil {
		live = hp.live
	}
	for range h.cfg.Procs - live {
		if err := h.startLocked(pool, ""); err != nil {
			return err
		}
	}
	return nil
}

// onReplace starts a worker in place of one of this host's that a pool
// gave up on, killing that one if it still runs (stopped, or cut off), and
// never past Procs for the pool: after a server restart the host has
// started its Procs anew before the pool asks for those it lost. The pool
// asks only for workers that were ready, once per loss, so a task that
// kills its workers costs at most its MaxDeliver of them, and workers that
// cannot start (an initializer that fails here) are not started again.
func (h *host) onReplace(m *nats.Msg) {
	var r wire.Replace
	if wire.DecodeJSON(m.Data, &r) != nil || r.Pool == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	hp := h.pools[r.Pool]
	if pr := h.procs[r.Worker]; pr != nil && pr.pool == hp && hp != nil && !pr.givenUp {
		pr.givenUp = true
		hp.live--
		pr.cmd.Process.Kill()
	}
	if hp != nil && hp.live >= h.cfg.Procs {
		return
	}
	if err := h.startLocked(r.Pool, " in place of a lost one"); err != nil {
		fmt.Fprintf(h.cfg.Events, "pool %s: %v\n", r.Pool, err)
	}
}

// startLocked starts one worker for pool, and reaps it when it ends.
func (h *host) startLocked(pool, why string) error {
	if h.stopping {
		return nil
	}
	hp := h.pools[pool]
	if hp == nil {
		hp = &hostPool{epoch: h.nc.Stats().Reconnects}
		h.pools[pool] = hp
	}
	id := nuid.Next()
	env, _ := json.Marshal(wire.WorkerEnv{URL: h.cfg.URL, Pool: pool, ID: id, Host: h.id})
	cmd := exec.Command(h.cfg.Path, h.cfg.Args...)
	cmd.Env = workerEnviron(string(env), nil)
	cmd.Stdout, cmd.Stderr = h.cfg.Stdout, h.cfg.Stderr
	// It dies with the thread that started it, a starter thread, which
	// outlives it (internal/starter).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	lease := starter.Acquire()
	if err := lease.Start(cmd); err != nil {
		lease.Release()
		if hp.live == 0 {
			delete(h.pools, pool)
		}
		return fmt.Errorf("natspool: host: start worker for pool %s: %w", pool, err)
	}
	hp.live++
	pid := cmd.Process.Pid
	pr := &hostProc{cmd: cmd, pool: hp}
	h.procs[id] = pr
	fmt.Fprintf(h.cfg.Events, "pool %s: worker %d started%s\n", pool, pid, why)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		err := cmd.Wait()
		lease.Release()
		h.mu.Lock()
		delete(h.procs, id)
		if !pr.givenUp {
			hp.live--
		}
		// Workers that went with the server (it restarted) leave a
		// pool that may still run: it answers again if so. Without
		// a reconnect, a pool whose workers all exit is done with
		// them (or they cannot start), and is not asked again; it
		// asks for a replacement itself if it lost them.
		again := false
		if hp.live == 0 && h.pools[pool] == hp {
			delete(h.pools, pool) // ids are never reused
			again = h.nc.Stats().Reconnects != hp.epoch
		}
		h.mu.Unlock()
		if again {
			h.rediscover()
		}
		state := "exited"
		if err != nil {
			state = err.Error()
		}
		fmt.Fprintf(h.cfg.Events, "pool %s: worker %d ended: %s\n", pool, pid, state)
	}()
	return nil
}

// stopAll kills the live workers and reaps them.
func (h *host) stopAll() {
	h.mu.Lock()
	h.stopping = true
	for _, pr := range h.procs {
		pr.cmd.Process.Kill()
	}
	h.mu.Unlock()
	h.wg.Wait()
}
