package procpool

import (
	"context"
	"iter"
	"sync"
	"time"
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
// returned all the same, each with its own Err.
func (p *Pool) Map(ctx context.Context, fn string, args [][]byte) ([]Result, error) {
	as, err := p.submitAll(fn, args, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(as))
	var first error
	for i, a := range as {
		select {
		case <-a.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		out[i] = a.result
		if first == nil && a.result.Err != nil {
			first = a.result.Err
		}
	}
	return out, first
}

// Imap runs fn over every argument and yields the results in argument order
// as they become available. Stopping early leaves the remaining tasks to run.
//
// The sequence is one iterator, as Python's is: each range goes on where
// the last one stopped, so a range after a break yields the rest, and a
// range after the last result (or after every result) yields nothing.
// A range that ctx ends stops without consuming a result. The same rule
// holds for ImapUnordered.
func (p *Pool) Imap(ctx context.Context, fn string, args [][]byte) (iter.Seq[Result], error) {
	as, err := p.submitAll(fn, args, nil)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex // ranges over one sequence take turns
	next := 0
	return func(yield func(Result) bool) {
		mu.Lock()
		defer mu.Unlock()
		for next < len(as) {
			a := as[next]
			select {
			case <-a.done:
			case <-ctx.Done():
				return
			}
			next++
			if !yield(a.result) {
				return
			}
		}
	}, nil
}

// ImapUnordered is Imap yielding results in completion order, under the
// same rule: each range goes on where the last stopped.
func (p *Pool) ImapUnordered(ctx context.Context, fn string, args [][]byte) (iter.Seq[Result], error) {
	ready := make(chan *AsyncResult, len(args))
	as, err := p.submitAll(fn, args, ready)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	left := len(as)
	return func(yield func(Result) bool) {
		mu.Lock()
		defer mu.Unlock()
		for left > 0 {
			var a *AsyncResult
			select {
			case a = <-ready:
			case <-ctx.Done():
				return
			}
			left--
			if !yield(a.result) {
				return
			}
		}
	}, nil
}

// submitAll submits a batch under one lock, so a large Map costs one
// dispatch pass rather than one per task.
func (p *Pool) submitAll(fn string, args [][]byte, notify chan<- *AsyncResult) ([]*AsyncResult, error) {
	as := make([]*AsyncResult, len(args))
	for i, arg := range args {
		as[i] = p.newAsync(Task{Func: fn, Args: arg}, nil, nil, notify)
	}
	if err := p.submit(as...); err != nil {
		return nil, err
	}
	return as, nil
}
