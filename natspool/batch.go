package natspool

import (
	"errors"

	"github.com/poolbench/poolbench/procpool"
)

// MapOption configures one Map, MapAsync, Imap or ImapUnordered call.
type MapOption func(*mapConfig)

type mapConfig struct{ chunk int }

// ChunkSize sends the arguments to the workers n at a time, as procpool's
// ChunkSize and Python's chunksize do (and in procpool's chunk format, run
// by procpool's code in the worker): one message, one trip through the
// server and one result per chunk instead of per argument, which makes
// short calls much cheaper; a chunk runs in one worker, in order, so long
// calls balance worse. Results are still one per argument, each with its
// own error and times; a chunk fails as a whole only when its worker is
// lost, the pool is terminated, or its calls' results together are over
// the server's message limit (which each alone may fit: Fits). A chunk's
// failure names the function mapped. The default is 1.
func ChunkSize(n int) MapOption {
	return func(c *mapConfig) { c.chunk = max(n, 1) }
}

// batch is one Map-like call: its tasks, one per chunk of arguments.
type batch struct {
	fn      string
	chunk   int
	n       int
	handles []*AsyncResult
}

// appendResults appends chunk k's results, one per argument, to dst.
func (b *batch) appendResults(dst []Result, k int) []Result {
	h := b.handles[k]
	if b.chunk == 1 {
		return append(dst, h.result)
	}
	whole := h.result
	calls := procpool.ChunkResults(procpool.Result{
		Value: whole.Value, Err: whole.Err, WorkerPID: whole.WorkerPID,
		Submitted: whole.Submitted, Started: whole.Started, Finished: whole.Finished, Delivered: whole.Delivered,
	}, b.fn, min(b.chunk, b.n-k*b.chunk))
	for _, c := range calls {
		r := whole
		r.Value, r.Err, r.Started, r.Finished = c.Value, c.Err, c.Started, c.Finished
		// A call's own failure reads as any task's here: named by host/pid.
		if te := (*procpool.TaskError)(nil); c.Err != whole.Err && errors.As(c.Err, &te) {
			r.Err = &TaskError{Func: te.Func, Worker: whole.Worker, Msg: te.Msg, Stack: te.Stack, unknownFunc: errors.Is(te, procpool.ErrUnknownFunc)}
		}
		dst = append(dst, r)
	}
	return dst
}

// submitBatch submits fn over args under one lock, so a large Map costs one
// dispatch pass rather than one per task. notify and cb, if set, go to every
// chunk's handle.
func (p *Pool) submitBatch(fn string, args [][]byte, opts []MapOption, notify chan<- *AsyncResult, cb Callback) (*batch, error) {
	cfg := mapConfig{chunk: 1}
	for _, o := range opts {
		o(&cfg)
	}
	b := &batch{fn: fn, chunk: cfg.chunk, n: len(args)}
	for i := 0; i < len(args); i += cfg.chunk {
		t := Task{Func: fn, Args: args[i]}
		if cfg.chunk > 1 {
			var err error
			if t, err = procpool.ChunkTask(fn, args[i:min(i+cfg.chunk, len(args))]); err != nil {
				return nil, err
			}
		}
		a := newAsync(t, cb, cb, notify)
		a.batchIndex = len(b.handles)
		if cfg.chunk > 1 {
			a.chunkOf = fn
		}
		b.handles = append(b.handles, a)
	}
	if err := p.submit(b.handles...); err != nil {
		return nil, err
	}
	return b, nil
}

// firstErr is the first failure among results, in their order.
func firstErr(rs []Result) error {
	for _, r := range rs {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// done is closed once chunk k is done.
func (b *batch) done(k int) <-chan struct{} { return b.handles[k].done }

// results is chunk k's results, one per argument.
func (b *batch) results(k int) []Result { return b.appendResults(nil, k) }
