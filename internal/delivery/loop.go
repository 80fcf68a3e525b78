// Package delivery hands finished tasks back to a pool's caller on one
// goroutine, as Python's result handler thread does. procpool and natspool
// share it: what differs between them (the callback, its panic message,
// whether finishing waits for the goroutine) stays in each pool.
package delivery

import "sync"

// Loop delivers items one at a time, in the order they were pushed, on a
// single goroutine, so that callbacks never run concurrently with each other
// and see results in completion order. Its queue is unbounded so that a slow
// callback never blocks whoever pushes: the goroutines reading a pool's pipes
// or connection, and through them the workers.
type Loop[T any] struct {
	deliver func(T)

	mu     sync.Mutex
	cond   sync.Cond
	queue  []T
	spare  []T // the last batch's slice, kept so that a busy loop does not allocate
	stop   bool
	gone   bool // the loop has found its queue empty after Finish: Push refuses
	exited chan struct{}
}

// New starts the loop's goroutine, which calls deliver once an item and
// runs until Finish is called and the queue is empty.
func New[T any](deliver func(T)) *Loop[T] {
	l := &Loop[T]{deliver: deliver, exited: make(chan struct{})}
	l.cond.L = &l.mu
	go l.run()
	return l
}

// Push queues items for delivery and never blocks on a delivery in
// progress. It reports whether the loop will deliver them: items pushed
// after Finish are still delivered while the loop is draining, but once
// the loop has exited Push queues nothing and reports false, and the caller
// still owns the items.
func (l *Loop[T]) Push(items ...T) bool {
	if len(items) == 0 {
		return true
	}
	l.mu.Lock()
	if l.gone {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, items...)
	l.mu.Unlock()
	l.cond.Signal()
	return true
}

// Finish makes the loop exit once its queue is empty, without waiting for
// it, so that it may be called from deliver itself; wait on Exited for the
// goroutine to end. Calling it again does nothing.
func (l *Loop[T]) Finish() {
	l.mu.Lock()
	l.stop = true
	l.mu.Unlock()
	l.cond.Signal()
}

// Exited is closed once the loop's goroutine has delivered everything it
// was given and returned.
func (l *Loop[T]) Exited() <-chan struct{} {
	return l.exited
}

func (l *Loop[T]) run() {
	defer close(l.exited)
	var zero T
	for {
		l.mu.Lock()
		for len(l.queue) == 0 && !l.stop {
			l.cond.Wait()
		}
		if len(l.queue) == 0 {
			l.gone = true
			l.mu.Unlock()
			return
		}
		// Take the whole queue and give Push the spare slice, so that the
		// lock is held only for the swap, never across a delivery.
		batch := l.queue
		l.queue, l.spare = l.spare[:0], nil
		l.mu.Unlock()
		for i, item := range batch {
			l.deliver(item)
			batch[i] = zero // the slice is kept as spare: do not keep the item alive with it
		}
		l.mu.Lock()
		l.spare = batch[:0]
		l.mu.Unlock()
	}
}
