package workloads

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// deepen calls fn from n frames further down, to start descents and
// tasks from many places.
//
//go:noinline
func deepen(n int, fn func()) {
	var pad [4]uintptr
	pad[n%4] = uintptr(n)
	if n == 0 {
		fn()
		return
	}
	deepen(n-1, fn)
}

// frameAddr is the address of a local in a frame of its own: called twice
// from one frame, it gives one address unless the stack moved between.
//
//go:noinline
func frameAddr() uintptr {
	var x byte
	return uintptr(unsafe.Pointer(&x))
}

// checkTask runs task i's descent and checks that fn runs once, at the
// task's offset, and stays there when it grows the stack. It reports
// whether the stack moved after landing.
func checkTask(t *testing.T, where string, i uint64) (moved bool) {
	off := stackOffset(i)
	runs := 0
	onStackAt(off, func(at uintptr) {
		runs++
		if at%stackPage/stackSlot != off/stackSlot {
			t.Errorf("%s, task %d: landed at %d within the page, want slot %d (%d-%d)", where, i, at%stackPage, off/stackSlot, off, off+stackSlot-1)
		}
		before := frameAddr()
		deepen(200, func() {}) // past the 8 KiB growStack leaves
		by := frameAddr() - before
		if by%stackPage != 0 {
			t.Errorf("%s, task %d: the stack moved by %d bytes after landing, not whole pages", where, i, int64(by))
		}
		moved = by != 0
	})
	if runs != 1 {
		t.Errorf("%s, task %d: fn ran %d times", where, i, runs)
	}
	return moved
}

func TestOnStackAtLandsOnTheOffset(t *testing.T) {
	if descents() == nil {
		t.Fatal("the descent's frames cannot reach every offset: tasks run wherever the stack is")
	}
	offBefore := offTarget.Load()
	var wg sync.WaitGroup
	// Tasks one after another, as a worker runs them, from goroutines at
	// many depths: the first descents make their stacks grow on the way.
	for depth := range 24 {
		wg.Go(func() {
			deepen(depth, func() {
				for i := range uint64(600) {
					checkTask(t, fmt.Sprintf("depth %d", depth), i)
				}
			})
		})
	}
	// Each task on a goroutine of its own, as the goroutines strategy
	// runs them: a fresh, small stack every time, which the task grows.
	var moves atomic.Int64
	for i := range uint64(stackSlots) {
		wg.Go(func() {
			if checkTask(t, "own goroutine", i) {
				moves.Add(1)
			}
		})
	}
	wg.Wait()
	if moves.Load() == 0 {
		t.Error("no task's stack moved after landing: the check that it stays on its offset tested nothing")
	}
	if n := offTarget.Load() - offBefore; n != 0 {
		t.Errorf("%d tasks ran off their offsets", n)
	}
}

func TestPlanForReachesEveryOffset(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frames frameSizes
		whole  bool
	}{
		{"steps of 7 and 6 slots", frameSizes{land: 48, wide: 56, narrow: 48}, true},
		{"steps of 17 and 16 slots", frameSizes{land: 136, wide: 136, narrow: 128}, true},
		{"steps of 4 and 2 slots", frameSizes{land: 16, wide: 32, narrow: 16}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planFor(tc.frames)
			if (p != nil) != tc.whole {
				t.Fatalf("plan made: %v, want %v", p != nil, tc.whole)
			}
			if p == nil {
				return
			}
			if p.land != tc.frames.land {
				t.Errorf("land frame %d, want %d", p.land, tc.frames.land)
			}
			for k, s := range p.steps {
				if s.wide < 0 || s.narrow < 0 {
					t.Fatalf("offset %d: %d wide and %d narrow steps", k, s.wide, s.narrow)
				}
				slots := (uintptr(s.wide)*tc.frames.wide + uintptr(s.narrow)*tc.frames.narrow) / stackSlot
				if slots%stackSlots != uintptr(k) {
					t.Errorf("offset %d: %d wide and %d narrow steps go down %d slots", k, s.wide, s.narrow, slots)
				}
			}
		})
	}
}

func TestStackOffsetsSpreadOverThePage(t *testing.T) {
	// Any stackSlots consecutive tasks take every slot once.
	for _, first := range []uint64{0, 1, 37, 1000} {
		seen := map[uintptr]bool{}
		for i := first; i < first+stackSlots; i++ {
			off := stackOffset(i)
			if off%stackSlot != 0 || off >= stackPage {
				t.Fatalf("task %d: offset %d is not a slot of the page", i, off)
			}
			seen[off] = true
		}
		if len(seen) != stackSlots {
			t.Errorf("tasks %d to %d: %d distinct offsets, want %d", first, first+stackSlots-1, len(seen), stackSlots)
		}
	}
	// A shorter run puts about its share in each eighth of the page,
	// wherever it starts: a run's tasks meet slow offsets in proportion.
	for _, n := range []int{24, 40, 64} {
		for first := range uint64(stackSlots) {
			var per [8]int
			for i := first; i < first+uint64(n); i++ {
				per[stackOffset(i)*8/stackPage]++
			}
			for k, c := range per {
				if d := float64(c) - float64(n)/8; d > 2 || d < -2 {
					t.Errorf("tasks %d to %d: %d in eighth %d of the page, want %g +- 2", first, first+uint64(n)-1, c, k, float64(n)/8)
				}
			}
		}
	}
}

// BenchmarkCPUTasksByStackBase runs the cpu workload's first 512 tasks
// (a whole cycle of offsets) from call depths a page or more apart, as
// strategies' goroutines fall by chance, and reports how much their total
// time depends on the depth: run as the workload runs them
// (pinned-spread), each task at its own offset, and with the chain called
// directly (unpinned-spread), every task where the depth puts it. Each
// total is the best of three, divided by the pinned total from a fixed
// depth taken just before, so that the machine's drift cancels out. Each
// depth is measured in two passes, and the spread counts only what both
// agree on: the largest of the depths' lower ratios over the smallest of
// their higher ones. 1 or less: no depth is slower in both passes.
func BenchmarkCPUTasksByStackBase(b *testing.B) {
	const (
		rounds = 500
		tasks  = stackSlots
		bases  = 16
		step   = 113 // deepen frames: more than a page
		tries  = 3
	)
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	pinned := func() {
		for i := range uint64(tasks) {
			if _, err := cpu(Args(rounds, i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	unpinned := func() {
		for i := range uint64(tasks) {
			sha256Chain(i, rounds)
		}
	}
	// agreed is the spread over the depths that both passes show.
	agreed := func(p [2][bases]float64) float64 {
		lo, hi := 0.0, math.Inf(1)
		for k := range bases {
			lo = max(lo, min(p[0][k], p[1][k]))
			hi = min(hi, max(p[0][k], p[1][k]))
		}
		return lo / hi
	}
	var pin, unpin [2][bases]float64
	for b.Loop() {
		for pass := range 2 {
			for k := range bases {
				ref, p, u := time.Hour, time.Hour, time.Hour
				for range tries {
					ref = min(ref, timed(pinned))
					deepen(k*step, func() {
						p = min(p, timed(pinned))
						u = min(u, timed(unpinned))
					})
				}
				pin[pass][k], unpin[pass][k] = float64(p)/float64(ref), float64(u)/float64(ref)
			}
		}
	}
	b.ReportMetric(agreed(pin), "pinned-spread")
	b.ReportMetric(agreed(unpin), "unpinned-spread")
}
