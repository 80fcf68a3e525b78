package procpool

import (
	"context"
	"iter"
	"time"

	"github.com/poolbench/poolbench/internal/delivery"
)

// Apply runs one task and waits for it, as Python's apply does: the caller
// gets no parallelism from it. If ctx ends first, Apply returns ctx's error;
// the task still runs to completion in its worker.
func (p *Pool) Apply(ctx context.Context, t Task) (Result, error) {
	a, err := p.ApplyAsync(t, nil, nil)
	if err != nil {
		return Result{}, err
	}
	// One spinner per pool: many concurrent callers spinning would take
	// the CPUs the workers need.
	if p.spinning.CompareAndSwap(false, true) {
		a.spinUntilReady(applySpin)
		p.spinning.Store(false)
	}
	if ctx.Done() == nil { // a context that never ends: a plain receive is cheaper than select
		<-a.done
		return a.result, a.result.Err
	}
	select {
	case <-a.done:
		return a.result, a.result.Err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// applySpin bounds how long Apply polls for its result before it blocks.
// A round trip to a worker takes tens of microseconds; a caller blocked on
// the channel has to be woken on another OS thread (a futex wake-up costing
// a good part of that), while a caller still running sees the result at
// once. The spin costs at most this much CPU per Apply.
const applySpin = 50 * time.Microsecond

// Map runs fn over every argument and returns the results in argument order.
// The error is the first failed task's, in argument order; every result is
// returned all the same, each with its own Err. If ctx ends first, Map
// returns nil and ctx's error; the tasks still run to completion in their
// workers (MapAsync keeps a handle on them).
func (p *Pool) Map(ctx context.Context, fn string, args [][]byte, opts ...MapOption) ([]Result, error) {
	b, err := p.submitBatch(fn, args, opts, nil, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Result, 0, len(args))
	for k, h := range b.handles {
		select {
		case <-h.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		out = b.appendResults(out, k)
	}
	return out, firstErr(out)
}

func firstErr(rs []Result) error {
	for _, r := range rs {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// Imap runs fn over every argument and yields the results in argument order
// as they become available. Stopping early leaves the remaining tasks to run.
//
// The sequence is one iterator, as Python's is: each range goes on where
// the last one stopped, so a range after a break yields the rest, a range
// after the last result yields nothing, and a range inside a range takes
// the next results. A range that ctx ends stops without consuming a
// result. The same rule holds for ImapUnordered.
func (p *Pool) Imap(ctx context.Context, fn string, args [][]byte, opts ...MapOption) (iter.Seq[Result], error) {
	b, err := p.submitBatch(fn, args, opts, nil, nil)
	if err != nil {
		return nil, err
	}
	return delivery.InOrder(ctx, len(b.handles), b.done, b.results), nil
}

// ImapUnordered is Imap yielding results in completion order (a chunk's
// results together), under the same rule: each range goes on where the
// last stopped.
func (p *Pool) ImapUnordered(ctx context.Context, fn string, args [][]byte, opts ...MapOption) (iter.Seq[Result], error) {
	ready := make(chan *AsyncResult, len(args))
	b, err := p.submitBatch(fn, args, opts, ready, nil)
	if err != nil {
		return nil, err
	}
	return delivery.AsReady(ctx, len(b.handles), ready, func(a *AsyncResult) int { return a.batchIndex }, b.results), nil
}
