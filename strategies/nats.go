package strategies

import (
	"context"
	"strings"

	"github.com/poolbench/poolbench/natspool"
	"github.com/poolbench/poolbench/procpool"
)

// IsNATS reports whether a strategy runs its tasks through a NATS pool.
func IsNATS(name string) bool { return strings.HasPrefix(name, "nats-") }

// natsTraits are the NATS pool strategies' traits: a pool of Plan.Workers
// local processes, as the process pool's.
var natsTraits = Traits{UsesPoolSize: true, Baseline: "serial"}

// withNATSPool is withPool for a natspool.Pool: its start-up (the embedded
// server's included) counts in the wall time, the server's own start is
// recorded apart, and so are the hosts whose workers served the tasks.
func withNATSPool(ctx context.Context, plan Plan, rec *Recorder, fn func(*natspool.Pool) error) error {
	if err := validate(plan); err != nil {
		return err
	}
	opts := append([]natspool.Option(nil), plan.NATSOptions...)
	if plan.TaskTimeout > 0 {
		opts = append(opts, natspool.TaskTimeout(plan.TaskTimeout))
	}
	p, err := natspool.New(plan.Workers, opts...)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, p.Terminate)
	err = fn(p)
	if ctx.Err() != nil {
		p.Terminate()
	} else {
		p.Close()
	}
	p.Join()
	stop()
	st := p.Stats()
	// The NATS pool counts every start and lists those that got ready,
	// with the CPU each took, as procpool does.
	starts := procpool.Stats{Starts: st.Starts, Ready: st.Ready, StartTime: st.StartTime, StartCPU: st.StartCPU}
	for _, s := range st.Spawns {
		starts.Spawns = append(starts.Spawns, procpool.Spawn{PID: s.PID, Start: s.Start, Duration: s.Duration, CPU: s.CPU})
	}
	rec.Spawns(starts)
	kind := "external"
	if p.Embedded() {
		kind = "embedded"
	}
	rec.NATSServer(kind, p.ServerStart())
	for h, hs := range st.Hosts {
		rec.Host(h, hs.Tasks)
	}
	// An ended ctx is the cause of whatever fn saw (a Map refused by the
	// pool Terminate closed, say).
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
