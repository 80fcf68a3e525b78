package procpool

import (
	"fmt"
	"os"
	"sync"
)

// handler delivers finished tasks on one goroutine, as Python's result
// handler thread does: it stores the result, runs the callback, then marks
// the handle ready. Its queue is unbounded so that a slow callback never
// blocks the pipes (and through them the workers).
type handler struct {
	pool   *Pool
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*AsyncResult
	spare  []*AsyncResult
	stop   bool
	exited chan struct{}
}

func newHandler(p *Pool) *handler {
	h := &handler{pool: p, exited: make(chan struct{})}
	h.cond = sync.NewCond(&h.mu)
	go h.loop()
	return h
}

// push hands finished tasks over for delivery.
func (h *handler) push(ars ...*AsyncResult) {
	if len(ars) == 0 {
		return
	}
	h.mu.Lock()
	h.queue = append(h.queue, ars...)
	h.mu.Unlock()
	h.cond.Signal()
}

// finish makes the loop exit once its queue is empty, without waiting for
// it: Terminate may be called from a callback, on the loop itself.
func (h *handler) finish() {
	h.mu.Lock()
	h.stop = true
	h.mu.Unlock()
	h.cond.Signal()
}

func (h *handler) loop() {
	defer close(h.exited)
	pid := os.Getpid()
	for {
		h.mu.Lock()
		for len(h.queue) == 0 && !h.stop {
			h.cond.Wait()
		}
		if len(h.queue) == 0 {
			h.mu.Unlock()
			return
		}
		batch := h.queue
		h.queue, h.spare = h.spare[:0], nil
		h.mu.Unlock()
		for i, a := range batch {
			h.deliver(a, pid)
			batch[i] = nil
		}
		h.mu.Lock()
		h.spare = batch[:0]
		h.mu.Unlock()
		h.pool.delivered(len(batch))
	}
}

func (h *handler) deliver(a *AsyncResult, pid int) {
	cb := a.onSuccess
	if a.result.Err != nil {
		cb = a.onError
	}
	if cb != nil {
		a.callbackPID = pid
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
			h.pool.callbackPanicked(fmt.Errorf("procpool: callback for task %s panicked: %v", a.task.Func, r))
		}
	}()
	cb(a.result)
}
