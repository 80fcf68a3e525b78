package procpool

import (
	"fmt"
	"os"

	"github.com/poolbench/poolbench/internal/delivery"
)

// handler delivers finished tasks on one goroutine, as Python's result
// handler thread does: it stores the result, runs the callback, then marks
// the handle ready. A handle with no callback and nothing to notify (an
// Apply's) skips it and is marked ready where its result is read, so it
// may be ready before the callbacks of tasks that finished earlier. Its
// queue is unbounded so that a slow callback never blocks the pipes (and
// through them the workers).
type handler struct {
	pool   *Pool
	pid    int
	loop   *delivery.Loop[*AsyncResult]
	exited <-chan struct{}
}

func newHandler(p *Pool) *handler {
	h := &handler{pool: p, pid: os.Getpid()}
	h.loop = delivery.New(h.deliver)
	h.exited = h.loop.Exited()
	return h
}

// push hands finished tasks over for delivery. The loop refuses items only
// once it has exited, and it exits only after stopBackground, which waits
// for the last worker to be reaped: every task has been pushed by then, so
// there is no refusal to handle.
func (h *handler) push(ars ...*AsyncResult) {
	h.loop.Push(ars...)
}

// finish makes the loop exit once its queue is empty, without waiting for
// it: Terminate may be called from a callback, on the loop itself.
func (h *handler) finish() {
	h.loop.Finish()
}

func (h *handler) deliver(a *AsyncResult) {
	cb := a.onSuccess
	if a.result.Err != nil {
		cb = a.onError
	}
	if cb != nil {
		a.callbackPID = h.pid
		h.run(cb, a)
	}
	close(a.done)
	if a.notify != nil {
		a.notify <- a
	}
}

// run calls a callback, recovering a panic so that one bad callback never
// stops the delivery of every later result (CPython gh-83371).
func (h *handler) run(cb Callback, a *AsyncResult) {
	defer func() {
		if r := recover(); r != nil {
			h.pool.callbackPanicked(fmt.Errorf("procpool: callback for task %s panicked: %v", a.funcName(), r))
		}
	}()
	cb(a.result)
}
