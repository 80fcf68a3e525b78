package delivery

import (
	"context"
	"iter"
	"sync"
)

// Resumable is the one iterator behind a pool's Imap and ImapUnordered,
// as Python's is: each range over it goes on where the last one stopped,
// so a range after a break yields the rest of the results, a range after
// the last one yields nothing, and a range inside a range over it takes
// the next results, as a nested loop over one Python iterator does. next
// waits for the next group of results (a chunk's, in its argument order)
// and says false when there is none left or the wait was called off (the
// caller's context ended), in which case it must not have taken a group.
// Ranges in several goroutines take the results one at a time between
// them.
func Resumable[R any](next func() ([]R, bool)) iter.Seq[R] {
	var mu sync.Mutex
	var cur []R // what is left of the group being yielded
	// take holds the lock only to take one result, never across a yield:
	// the loop body may range over the sequence again.
	take := func() (r R, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		for len(cur) == 0 {
			if cur, ok = next(); !ok {
				return r, false
			}
		}
		r = cur[0]
		cur = cur[1:]
		return r, true
	}
	return func(yield func(R) bool) {
		for {
			r, ok := take()
			if !ok || !yield(r) {
				return
			}
		}
	}
}

// InOrder is Imap's sequence over n groups of results (one per task): each
// group in turn, once done(k) is closed, as group(k) gives it.
func InOrder[R any](ctx context.Context, n int, done func(k int) <-chan struct{}, group func(k int) []R) iter.Seq[R] {
	next := 0 // the next group to wait for
	return Resumable(func() ([]R, bool) {
		if next == n {
			return nil, false
		}
		select {
		case <-done(next):
		case <-ctx.Done():
			return nil, false
		}
		next++
		return group(next - 1), true
	})
}

// AsReady is ImapUnordered's sequence over n groups of results: each as
// ready hands over the handle of a finished one, whose group index(h) is.
func AsReady[R, H any](ctx context.Context, n int, ready <-chan H, index func(H) int, group func(k int) []R) iter.Seq[R] {
	left := n
	return Resumable(func() ([]R, bool) {
		if left == 0 {
			return nil, false
		}
		select {
		case h := <-ready:
			left--
			return group(index(h)), true
		case <-ctx.Done():
			return nil, false
		}
	})
}
