package natspool

import (
	"context"
	"time"

	"github.com/poolbench/poolbench/internal/delivery"
	"github.com/poolbench/poolbench/procpool"
)

// The typed form is procpool's: a function made once with procpool.Func
// (or FuncWith, for another codec) is registered in the one registry and
// runs in either pool, with its codec on both ends.

// Future is a typed handle on a submitted call.
type Future[Out any] struct {
	a      *AsyncResult
	decode func(Result) (Out, error)
}

func decoder[In, Out any](f *procpool.Function[In, Out]) func(Result) (Out, error) {
	return func(r Result) (Out, error) {
		if r.Err != nil {
			var zero Out
			return zero, r.Err
		}
		return f.Decode(r.Value)
	}
}

// Get waits for the call and returns its result, its error, or ctx's.
func (f *Future[Out]) Get(ctx context.Context) (Out, error) {
	select {
	case <-f.a.done:
		return f.decode(f.a.result)
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
}

// Wait blocks until the call is done.
func (f *Future[Out]) Wait() { f.a.Wait() }

// Done is closed when the call is done.
func (f *Future[Out]) Done() <-chan struct{} { return f.a.Done() }

// Ready reports whether the call is done.
func (f *Future[Out]) Ready() bool { return f.a.Ready() }

// GetTimeout is Get with a timeout, as AsyncResult's: ErrTimeout when the
// time runs out first.
func (f *Future[Out]) GetTimeout(d time.Duration) (Out, error) {
	if !delivery.Within(f.a.done, d) {
		var zero Out
		return zero, ErrTimeout
	}
	return f.decode(f.a.result)
}

// Successful reports whether the call succeeded, its result decoded;
// ErrNotReady before it is done.
func (f *Future[Out]) Successful() (bool, error) {
	if !f.a.Ready() {
		return false, ErrNotReady
	}
	_, err := f.decode(f.a.result)
	return err == nil, nil
}

// Result is the call's raw result (its worker, host, times, encoded
// value); it blocks until the call is done.
func (f *Future[Out]) Result() Result { return f.a.Result() }

// Submit calls f with in on one of p's workers and returns at once.
func Submit[In, Out any](p *Pool, f *procpool.Function[In, Out], in In) (*Future[Out], error) {
	t, err := f.Task(in)
	if err != nil {
		return nil, err
	}
	a, err := p.ApplyAsync(t, nil, nil)
	if err != nil {
		return nil, err
	}
	return &Future[Out]{a: a, decode: decoder(f)}, nil
}

// MapOf calls f with every input on p's workers and returns the results in
// input order, with the first failure in input order; a failed call's
// result is Out's zero value. If ctx ends first, MapOf returns nil and
// ctx's error, and the calls still run to completion in their workers.
func MapOf[In, Out any](ctx context.Context, p *Pool, f *procpool.Function[In, Out], inputs []In, opts ...MapOption) ([]Out, error) {
	args := make([][]byte, len(inputs))
	for i, in := range inputs {
		t, err := f.Task(in)
		if err != nil {
			return nil, err
		}
		args[i] = t.Args
	}
	res, err := p.Map(ctx, f.Name(), args, opts...)
	if res == nil {
		return nil, err
	}
	decode := decoder(f)
	outs := make([]Out, len(res))
	var first error
	for i, r := range res {
		var derr error
		outs[i], derr = decode(r)
		if first == nil {
			first = derr
		}
	}
	return outs, first
}
