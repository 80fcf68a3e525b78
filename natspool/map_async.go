package natspool

import (
	"context"
	"time"

	"github.com/poolbench/poolbench/internal/delivery"
)

// MapResult is a handle on a MapAsync call, like Python's MapResult.
type MapResult struct {
	results []Result
	err     error
	done    chan struct{}
}

// MapAsync submits fn over every argument and returns at once, as Python's
// map_async does. When every call is done, onSuccess runs with the results
// in argument order, or, if any failed, onError with the first failure in
// argument order; either may be nil. They run on the pool's result
// goroutine, one at a time with every other callback.
func (p *Pool) MapAsync(fn string, args [][]byte, onSuccess func([]Result), onError func(error), opts ...MapOption) (*MapResult, error) {
	m := &MapResult{done: make(chan struct{})}
	var b *batch
	left := 0
	// Runs on the result goroutine for every chunk, so left needs no lock;
	// b is set before any chunk's callback reads it (ready).
	finish := func() {
		defer close(m.done)
		out := make([]Result, 0, b.n)
		for k := range b.handles {
			out = b.appendResults(out, k)
		}
		m.results, m.err = out, firstErr(out)
		switch {
		case m.err != nil && onError != nil:
			onError(m.err)
		case m.err == nil && onSuccess != nil:
			onSuccess(m.results)
		}
	}
	if len(args) == 0 {
		// Nothing to run, but the callback still runs where callbacks
		// run: on the result goroutine, after what is already queued.
		b = &batch{fn: fn, chunk: 1}
		p.mu.Lock()
		if p.state != stateRunning {
			p.mu.Unlock()
			return nil, ErrPoolClosed
		}
		// Queued under the lock, as a running pool's: a Close and Join
		// that follow find it.
		p.handler.push(newAsync(Task{Func: fn}, func(Result) { finish() }, nil, nil))
		p.mu.Unlock()
		return m, nil
	}
	ready := make(chan struct{})
	cb := func(Result) {
		<-ready
		if left--; left == 0 {
			finish()
		}
	}
	var err error
	if b, err = p.submitBatch(fn, args, opts, nil, cb); err != nil {
		return nil, err
	}
	left = len(b.handles)
	close(ready)
	return m, nil
}

// Get waits for every call and returns the results in argument order and
// the first failure, or ctx's error.
func (m *MapResult) Get(ctx context.Context) ([]Result, error) {
	select {
	case <-m.done:
		return m.results, m.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// GetTimeout is Get with a timeout; ErrTimeout when the time runs out.
func (m *MapResult) GetTimeout(d time.Duration) ([]Result, error) {
	if !delivery.Within(m.done, d) {
		return nil, ErrTimeout
	}
	return m.results, m.err
}

// Wait blocks until every call is done and the callback has run.
func (m *MapResult) Wait() { <-m.done }

// Done is closed when every call is done and the callback has run.
func (m *MapResult) Done() <-chan struct{} { return m.done }

// Ready reports whether every call is done.
func (m *MapResult) Ready() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// Successful reports whether every call succeeded; ErrNotReady before.
func (m *MapResult) Successful() (bool, error) {
	if !m.Ready() {
		return false, ErrNotReady
	}
	return m.err == nil, nil
}
