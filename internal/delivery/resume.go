package delivery

import (
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
