package procpool

import "fmt"

// MapOption configures one Map, MapAsync, Imap or ImapUnordered call.
type MapOption func(*mapConfig)

type mapConfig struct{ chunk int }

// ChunkSize sends the arguments to the workers n at a time, as Python's
// chunksize does: one task, one frame and one result per chunk instead of
// per argument, which makes short calls much cheaper; a chunk runs in one
// worker, in order, so long calls balance worse. Results are still one per
// argument, each with its own error and times; a chunk fails as a whole
// only when its worker dies, the pool is terminated, or its results exceed
// MaxFrame. A chunk's failure names the function mapped. The default is 1.
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

// results returns chunk k's results, one per argument.
func (b *batch) results(k int) []Result { return b.appendResults(nil, k) }

// appendResults appends chunk k's results, one per argument, to dst.
func (b *batch) appendResults(dst []Result, k int) []Result {
	h := b.handles[k]
	if b.chunk == 1 {
		return append(dst, h.result)
	}
	return appendChunkResults(dst, h, b.fn, min(b.chunk, b.n-k*b.chunk))
}

// submitBatch submits fn over args under one lock, so a large Map costs one
// dispatch pass rather than one per task. notify and cb, if set, go to every
// chunk's handle.
func (p *Pool) submitBatch(fn string, args [][]byte, opts []MapOption, notify chan<- *AsyncResult, cb Callback) (*batch, error) {
	cfg := mapConfig{chunk: 1}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.chunk > 1 && len(fn) > 0xffff {
		return nil, fmt.Errorf("%w: function name of %d bytes", ErrFrameTooLarge, len(fn))
	}
	b := &batch{fn: fn, chunk: cfg.chunk, n: len(args)}
	for i := 0; i < len(args); i += cfg.chunk {
		t := Task{Func: fn, Args: args[i]}
		if cfg.chunk > 1 {
			t = Task{Func: chunkFunc, Args: encodeChunk(fn, args[i:min(i+cfg.chunk, len(args))])}
		}
		a := p.newAsync(t, cb, cb, notify)
		a.batchIndex = len(b.handles)
		a.ownArgs = cfg.chunk > 1
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

// done is closed once chunk k is done.
func (b *batch) done(k int) <-chan struct{} { return b.handles[k].done }
