package natspool

import (
	"bytes"
	"fmt"
	"time"
)

// msgOverhead bounds what a task message adds to its function name and
// arguments: the kind byte and two varints.
const msgOverhead = 1 + 10 + 10

// ApplyAsync submits a task and returns at once. onSuccess runs with the
// result when the task succeeds, onError when it fails; either may be nil.
// Both run in this process, one at a time, on the pool's result goroutine.
func (p *Pool) ApplyAsync(t Task, onSuccess, onError Callback) (*AsyncResult, error) {
	a := newAsync(t, onSuccess, onError, nil)
	if err := p.submit(a); err != nil {
		return nil, err
	}
	return a, nil
}

func newAsync(t Task, onSuccess, onError Callback, notify chan<- *AsyncResult) *AsyncResult {
	return &AsyncResult{task: t, onSuccess: onSuccess, onError: onError, notify: notify, done: make(chan struct{})}
}

// submit queues tasks and sends as many as fit to the workers.
func (p *Pool) submit(as ...*AsyncResult) error {
	limit := int(p.nc.MaxPayload())
	for _, a := range as {
		if err := Fits(a.task.Func, len(a.task.Args), 0, limit); err != nil {
			if a.chunkOf != "" { // named after the function mapped, as its other failures are
				return fmt.Errorf("natspool: a chunk of %.40q with %d bytes of arguments is over the server's limit of %d: %w",
					a.chunkOf, len(a.task.Args), limit, ErrFrameTooLarge)
			}
			return err
		}
	}
	ownArgs(as)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.state != stateRunning:
		return ErrPoolClosed
	case p.lost != nil:
		return p.lost
	case p.broken != nil && len(p.live) == 0:
		return fmt.Errorf("natspool: no worker can start: %w", p.broken)
	}
	for _, a := range as {
		p.nextID++
		a.id = p.nextID
		a.result.Submitted = now
		p.queue = append(p.queue, a)
	}
	p.dispatchLocked()
	return nil
}

// ownArgs gives the pool its own copy of the tasks' arguments, in one
// allocation, so that the caller may reuse its buffers once the call
// returns, as procpool's caller may: a task may wait in the queue, or be
// sent again after its worker was lost.
func ownArgs(as []*AsyncResult) {
	parts := make([][]byte, 0, len(as))
	for _, a := range as {
		if len(a.task.Args) > 0 {
			parts = append(parts, a.task.Args)
		}
	}
	if len(parts) == 0 {
		return
	}
	buf := bytes.Join(parts, nil)
	for _, a := range as {
		if n := len(a.task.Args); n > 0 {
			a.task.Args, buf = buf[:n:n], buf[n:]
		}
	}
}
