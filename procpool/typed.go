package procpool

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"time"

	"github.com/poolbench/poolbench/internal/delivery"
)

// Codec turns a typed function's arguments and results into bytes and back.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// GobCodec is the default Codec: encoding/gob, which needs no schema and
// takes any exported Go type.
type GobCodec struct{}

func (GobCodec) Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(v)
	return b.Bytes(), err
}

func (GobCodec) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}

// Function is a typed function registered under a name, made by Func.
type Function[In, Out any] struct {
	name  string
	codec Codec
}

// Name is the name the function is registered under.
func (f *Function[In, Out]) Name() string { return f.name }

// Func registers fn under name for workers to run, with the gob codec, and
// returns its typed handle for Submit and MapOf:
//
//	var Square = procpool.Func("square", func(ctx context.Context, x int) (int, error) { return x * x, nil })
//
// Declare it at package level, so that every process (the workers are the
// same executable) registers it before serving. A duplicate name panics, as
// MustRegister does. In the worker, ctx is never cancelled: a task runs to
// the end, or its worker is killed (TaskTimeout, Terminate).
func Func[In, Out any](name string, fn func(ctx context.Context, in In) (Out, error)) *Function[In, Out] {
	return FuncWith(name, GobCodec{}, fn)
}

// FuncWith is Func with another codec.
func FuncWith[In, Out any](name string, codec Codec, fn func(ctx context.Context, in In) (Out, error)) *Function[In, Out] {
	MustRegister(name, func(args []byte) ([]byte, error) {
		var in In
		if err := codec.Unmarshal(args, &in); err != nil {
			return nil, fmt.Errorf("decode the argument of %s: %w", name, err)
		}
		out, err := fn(context.Background(), in)
		if err != nil {
			return nil, err
		}
		return codec.Marshal(out)
	})
	describeTyped[In, Out](name, codec)
	return &Function[In, Out]{name: name, codec: codec}
}

// Task encodes a call of f with in.
func (f *Function[In, Out]) Task(in In) (Task, error) {
	args, err := f.codec.Marshal(in)
	if err != nil {
		return Task{}, fmt.Errorf("procpool: encode the argument of %s: %w", f.name, err)
	}
	return Task{Func: f.name, Args: args}, nil
}

func (f *Function[In, Out]) decode(r Result) (Out, error) {
	if r.Err != nil {
		var zero Out
		return zero, r.Err
	}
	return f.Decode(r.Value)
}

// Decode turns a call's encoded result into Out, with f's codec.
func (f *Function[In, Out]) Decode(value []byte) (Out, error) {
	var out Out
	if err := f.codec.Unmarshal(value, &out); err != nil {
		return out, fmt.Errorf("procpool: decode the result of %s: %w", f.name, err)
	}
	return out, nil
}

// Future is a typed handle on a submitted call.
type Future[Out any] struct {
	a      *AsyncResult
	decode func(Result) (Out, error)
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

// Result is the call's raw result (its worker, times, encoded value); it
// blocks until the call is done.
func (f *Future[Out]) Result() Result { return f.a.Result() }

// Submit calls f with in on one of p's workers and returns at once.
func Submit[In, Out any](p *Pool, f *Function[In, Out], in In) (*Future[Out], error) {
	t, err := f.Task(in)
	if err != nil {
		return nil, err
	}
	a, err := p.ApplyAsync(t, nil, nil)
	if err != nil {
		return nil, err
	}
	return &Future[Out]{a: a, decode: f.decode}, nil
}

// MapOf calls f with every input on p's workers and returns the results in
// input order, with the first failure in input order; a failed call's
// result is Out's zero value. If ctx ends first, MapOf returns nil and
// ctx's error, and the calls still run to completion in their workers.
func MapOf[In, Out any](ctx context.Context, p *Pool, f *Function[In, Out], inputs []In, opts ...MapOption) ([]Out, error) {
	args := make([][]byte, len(inputs))
	for i, in := range inputs {
		t, err := f.Task(in)
		if err != nil {
			return nil, err
		}
		args[i] = t.Args
	}
	res, err := p.Map(ctx, f.name, args, opts...)
	if res == nil {
		return nil, err
	}
	outs := make([]Out, len(res))
	var first error
	for i, r := range res {
		var derr error
		outs[i], derr = f.decode(r)
		if first == nil {
			first = derr
		}
	}
	return outs, first
}
