package procpool

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// A result made over its task's arguments is lent to the pipe from the
// worker's frame buffer, and the worker reads its next tasks into other
// memory until the pool has read it: every result arrives as it was made,
// however far the worker runs ahead of the reader.
func TestLentResultsArriveIntact(t *testing.T) {
	for _, size := range []int{refMin, 200 << 10, 1 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			p := newPool(t, 1, Prefetch(8), LendArgs())
			const tasks = 48
			args := make([][]byte, tasks)
			hs := make([]*AsyncResult, tasks)
			for i := range hs {
				args[i] = bytes.Repeat([]byte{byte(i + 1)}, size)
				var err error
				if hs[i], err = p.ApplyAsync(Task{Func: "test.echo", Args: args[i]}, nil, nil); err != nil {
					t.Fatal(err)
				}
			}
			for i, h := range hs {
				v, err := h.Get(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(v, args[i]) {
					at := 0
					for at < len(v) && at < len(args[i]) && v[at] == args[i][at] {
						at++
					}
					t.Fatalf("task %d: result of %d bytes differs from its %d-byte argument at byte %d", i, len(v), len(args[i]), at)
				}
			}
		})
	}
}
