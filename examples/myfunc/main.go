// Command myfunc is poolbench with a function of its own: it has every
// poolbench command, and its function is a workload like the built-in
// ones, run by every strategy and cross-checked between them.
//
//	go build -o myfunc ./examples/myfunc
//	./myfunc list
//	./myfunc run --workload collatz --args-file examples/myfunc/inputs.jsonl \
//		--strategies serial,goroutines,pool-apply-async
package main

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/poolbench/poolbench/cli"
	"github.com/poolbench/poolbench/procpool"
)

// Start is one task's argument: one line of the args file, {"n": 27}.
type Start struct {
	N uint64 `json:"n"`
}

// Collatz counts the steps from N to 1 of the Collatz sequence. It is
// registered at package level, so that this program's re-executed copies
// (trials, pool workers) know it too.
var Collatz = procpool.Func("collatz", func(ctx context.Context, s Start) (int, error) {
	if s.N == 0 {
		return 0, errors.New("n must be at least 1")
	}
	steps := 0
	for n := s.N; n != 1; steps++ {
		switch {
		case n%2 == 0:
			n /= 2
		case n > (math.MaxUint64-1)/3:
			return 0, fmt.Errorf("n=%d: the sequence leaves uint64 after %d steps", s.N, steps)
		default:
			n = 3*n + 1
		}
		if steps%(1<<20) == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
	}
	return steps, nil
})

func main() { cli.Main() }
