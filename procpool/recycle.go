package procpool

import "sync"

// LendArgs says the callers leave a task's arguments unchanged until its
// result is delivered, so the pool sends them from the caller's buffer
// instead of copying them when the task is submitted: a large argument
// then goes to the worker's pipe straight from the caller's pages. Without
// it, the pool keeps its own copy and a caller may reuse its buffer as soon
// as the submitting call returns. A task whose Apply or Map returned its
// context's error still runs: its arguments stay lent until Join or
// Terminate has returned.
func LendArgs() Option {
	return func(c *config) error { c.lendArgs = true; return nil }
}

// Recycle hands back a result's Value that the caller is done with, so that
// a later large result is read into that memory rather than into fresh
// memory, whose first touch costs a page fault a page and the kernel's
// zeroing of it: as much again as reading the result. After the call
// nothing may read or write value, nor any slice of it (the AsyncResult's
// Get included): the next result overwrites it. Values of other origin are
// taken too, values under 16 KiB are let go, and the pool keeps a few at
// most. Safe for concurrent use.
func (p *Pool) Recycle(value []byte) {
	if len(value) < refMin {
		return
	}
	p.spares.put(value[:len(value):len(value)])
}

// spareBuffers is a small store of recycled buffers.
type spareBuffers struct {
	mu   sync.Mutex
	bufs [][]byte
	max  int
}

// put keeps b. A buffer already kept is not kept twice: two results read
// into one buffer would overwrite each other. When the store is full the
// oldest buffer goes, so that buffers of a size no result takes any more
// do not hold the places of those the next results need.
func (s *spareBuffers) put(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, kept := range s.bufs {
		if &kept[0] == &b[0] {
			return
		}
	}
	if len(s.bufs) >= s.max {
		if s.max < 1 {
			return
		}
		copy(s.bufs, s.bufs[1:])
		s.bufs[len(s.bufs)-1] = nil
		s.bufs = s.bufs[:len(s.bufs)-1]
	}
	s.bufs = append(s.bufs, b)
}

// get returns n bytes: a recycled buffer that fits them without wasting
// more than half of itself, or a fresh one.
func (s *spareBuffers) get(n int) []byte {
	s.mu.Lock()
	for i, b := range s.bufs {
		if len(b) >= n && len(b) <= 2*n {
			last := len(s.bufs) - 1
			s.bufs[i], s.bufs[last] = s.bufs[last], nil
			s.bufs = s.bufs[:last]
			s.mu.Unlock()
			return b[:n:n]
		}
	}
	s.mu.Unlock()
	return make([]byte, n)
}
