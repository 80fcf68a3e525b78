package delivery

import (
	"context"
	"iter"
	"sync"
)

// Resumable is the one iterator behind a pool's Imap and ImapUnordered,
// as Python's is: each range over it goes on where the last one stopped,
// so a range after a break yields the rest of the results, and a range
// after the last one yields nothing. next waits for the next group of
// results (a chunk's, in its argument order) and says false when there is
// none left or the wait was called off (the caller's context ended), in
// which case it must not have taken a group. Ranges take turns.
func Resumable[R any](next func() ([]R, bool)) iter.Seq[R] {
	var mu sync.Mutex
	var cur []R // what is left of the group being yielded
	return func(yield func(R) bool) {
		mu.Lock()
		defer mu.Unlock()
		for {
			for len(cur) > 0 {
				r := cur[0]
				cur = cur[1:]
				if !yield(r) {
					return
				}
			}
			group, ok := next()
			if !ok {
				return
			}
			cur = group
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
