package natspool

import (
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
	"github.com/poolbench/poolbench/natspool/internal/wire"
	"github.com/poolbench/poolbench/procpool"
)

type poolState int

const (
	stateRunning poolState = iota
	stateClosed
	stateTerminated
)

// Spawn is one local worker start: from the start call to its ready message.
type Spawn struct {
	PID      int
	Start    time.Time
	Duration time.Duration
	// CPU is the user and system CPU the worker used to get ready, as its
	// own getrusage said in its ready message.
	CPU time.Duration
}

var spawnSample = procpool.SpawnSample // lowered by tests

// Pool runs tasks by name on worker processes reached through a NATS
// server: its own local workers and any that join from other hosts.
// It is safe for concurrent use.
type Pool struct {
	cfg     config
	id      string
	prefix  string
	nc      *nats.Conn
	srv     *Server // nil when the pool uses an external server
	url     string  // what workers connect to
	handler *handler
	subs    []*nats.Subscription

	mu         sync.Mutex
	state      poolState
	queue      []*AsyncResult // submitted, not yet sent to a worker
	live       []*worker      // ready or starting, in join order
	byIndex    map[uint64]*worker
	locals     map[string]*localProc // started by this pool, by worker id
	nextIndex  uint64
	nextID     uint64
	inflight   int  // sent to workers, no result yet
	stopSent   bool // the workers were told the pool is done
	avgRun     float64
	spawns     []Spawn // the first spawnSample local starts that got ready
	starts     int     // every local start
	ready      int     // the local starts that got ready, whose times sum to:
	startTime  time.Duration
	startCPU   time.Duration
	replaced   int
	refused    []error // the first hundred remote workers that could not serve
	hadRemote  bool    // a worker joined from elsewhere
	refusedN   int
	startFail  int         // local workers in a row that exited before ready
	broken     error       // set when local workers cannot start at all
	lost       error       // set when the server stayed out of reach (ErrServerLost)
	joining    bool        // Join is closing the connection
	graceTimer *time.Timer // runs while the owner is cut off from the server
	hosts      map[string]*HostStats
	firstUp    chan error    // the first local worker's ready (or failure)
	readied    chan struct{} // closed and replaced when a worker gets ready
	scratch    []byte

	callbackErrs []error
	callbackN    int

	localWG  sync.WaitGroup // one per local worker process
	drained  chan struct{}  // closed when not running and nothing is in flight
	tickStop chan struct{}
	tickDone chan struct{}
	joinOnce sync.Once
	joinErr  error
}

// New starts a pool with workers local worker processes (0: only workers
// that join from other hosts). Without URL it first starts a NATS server
// in this process on a random loopback port (or on Listen's address). As
// procpool.New does, it waits for the first local worker to be ready, so
// that a worker that cannot start at all is an error here.
func New(workers int, opts ...Option) (*Pool, error) {
	// A worker whose main forgot ServeRole would start a pool of its own.
	if err := procpool.CheckRoleServed(); err != nil {
		return nil, err
	}
	cfg, err := newConfig(workers, opts)
	if err != nil {
		return nil, err
	}
	p := &Pool{
		cfg:      cfg,
		id:       nuid.Next(),
		byIndex:  map[uint64]*worker{},
		locals:   map[string]*localProc{},
		hosts:    map[string]*HostStats{},
		firstUp:  make(chan error, 1),
		readied:  make(chan struct{}),
		drained:  make(chan struct{}),
		tickStop: make(chan struct{}),
		tickDone: make(chan struct{}),
	}
	p.prefix = wire.SubjectRoot + "." + p.id
	if err := p.connect(); err != nil {
		return nil, err
	}
	p.handler = newHandler(p)
	go p.tick()
	if err := p.listen(); err != nil {
		p.Terminate()
		p.Join()
		return nil, err
	}
	if workers == 0 {
		return p, nil
	}
	if err := p.startWorkers(workers); err != nil {
		p.Terminate()
		p.Join()
		return nil, err
	}
	if err := <-p.firstUp; err != nil {
		p.Terminate()
		p.Join()
		return nil, err
	}
	return p, nil
}

// reconnects is the owner's connection's reconnect count, which tells a
// worker heard from before the last reconnect (heard) from one heard since.
func (p *Pool) reconnects() uint64 { return p.nc.Stats().Reconnects }

// connect starts the embedded server if there is no URL, and connects.
func (p *Pool) connect() error {
	opts := []nats.Option{
		nats.Name("poolbench pool " + p.id),
		// Results and hellos must never be dropped: the pool's own
		// window bounds what is in flight.
		nats.ReconnectBufSize(64 << 20),
	}
	if p.cfg.url != "" {
		opts = append(opts, p.connOptions()...)
		nc, err := nats.Connect(p.cfg.url, opts...)
		if err != nil {
			return fmt.Errorf("natspool: connect to %s: %w", p.cfg.url, err)
		}
		p.nc, p.url = nc, p.cfg.url
		return nil
	}
	srv, err := StartServer(p.cfg.listen, false)
	if err != nil {
		return err
	}
	// The owner shares the server's process, so it skips the socket.
	nc, err := srv.Conn(opts...)
	if err != nil {
		srv.Shutdown()
		return fmt.Errorf("natspool: connect to the embedded server: %w", err)
	}
	p.srv, p.nc, p.url = srv, nc, srv.ClientURL()
	return nil
}

// listen subscribes to the pool's subjects and announces the pool.
func (p *Pool) listen() error {
	type sub struct {
		subject string
		fn      nats.MsgHandler
	}
	for _, s := range []sub{
		{p.prefix + ".hello", p.onHello},
		{p.prefix + ".ready", p.onReady},
		{p.prefix + ".res", p.onResult},
		{p.prefix + ".beat", p.onBeat},
		{wire.SubjectDiscover, p.onDiscover},
	} {
		sb, err := p.nc.Subscribe(s.subject, s.fn)
		if err != nil {
			return fmt.Errorf("natspool: subscribe %s: %w", s.subject, err)
		}
		// A slow consumer would drop results; the pool's window bounds them.
		sb.SetPendingLimits(-1, -1)
		p.subs = append(p.subs, sb)
	}
	if err := p.nc.Flush(); err != nil {
		return fmt.Errorf("natspool: subscribe: %w", err)
	}
	info, _ := jsonBytes(wire.PoolInfo{ID: p.id})
	p.nc.Publish(wire.SubjectAnnounce, info)
	return nil
}

// ID names the pool on its server.
func (p *Pool) ID() string { return p.id }

// URL is the address workers connect to: the embedded server's or the
// one given with the URL option.
func (p *Pool) URL() string { return p.url }

// Embedded reports whether the pool runs its own server; ServerStart is
// how long that took to accept connections (0 for an external server).
func (p *Pool) Embedded() bool { return p.srv != nil }

// ServerStart is how long the embedded server took to accept connections.
func (p *Pool) ServerStart() time.Duration {
	if p.srv == nil {
		return 0
	}
	return p.srv.Started
}

func (p *Pool) callbackPanicked(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.callbackN++
	if len(p.callbackErrs) < 100 {
		p.callbackErrs = append(p.callbackErrs, err)
	}
}
