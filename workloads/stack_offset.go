package workloads

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// A tight loop's speed can depend on where its stack frames fall in
// memory. On a 2-core AMD EPYC, the SHA-256 chain of the cpu workload ran
// up to 40% slower at some 8-byte offsets within a 4 KiB page than at the
// rest, most likely where the processor mistakes a load for one that
// depends on an earlier store because parts of their addresses match.
// Where a task's frames fall depends on its goroutine's stack and call
// depth: the trial's main goroutine for serial, the pool's goroutines for
// goroutine-pool, a worker's serving goroutine for the process pools. Each
// strategy would then run all its tasks at one offset, fast or slow by
// luck, whatever it cost itself: the same 512 tasks took 9-19% longer from
// some call depths than from others (BenchmarkCPUTasksByStackBase). So
// each task runs at an offset chosen by its index, the same in every
// strategy and process, and the offsets of consecutive tasks spread evenly
// over the page.

const (
	stackPage = 4096
	// stackSlot is the granularity of the offsets: on amd64 every frame
	// is a whole number of 8-byte words.
	stackSlot  = 8
	stackSlots = stackPage / stackSlot
)

// stackOffset is task index's offset within the page: index times a
// stride, modulo the page. The stride is the page's slots over the golden
// ratio, which spreads any run of consecutive tasks evenly over the page;
// it is odd, so any stackSlots consecutive tasks take every slot once.
func stackOffset(index uint64) uintptr {
	const stride = 317 // 512 / 1.618...
	return uintptr(index*stride%stackSlots) * stackSlot
}

// offTarget counts the tasks run elsewhere than at their offset: where the
// frames could not be measured, or the stack moved too often on the way.
// The tests expect none.
var offTarget atomic.Int64

// onStackAt runs fn from a frame whose marker sits at offset off within a
// page (to the slot), and passes it the marker's address. It descends
// through frames of two sizes to get there; if the goroutine's stack moved
// on the way (it grew, and was copied), it aims again from where it
// landed. It never fails: past its tries, or where the frames could not be
// measured, fn runs wherever the stack is (and offTarget counts it).
func onStackAt(off uintptr, fn func(at uintptr)) {
	// A stack of 2 KiB, a fresh goroutine's, starts at a 2 KiB boundary,
	// and moving it into a larger one may shift every frame by half a
	// page; larger stacks start at page boundaries, and moving between
	// them keeps each frame's place in the page. Once the stack is past
	// 2 KiB, growing it cannot move fn off its offset after it has
	// landed. (The collector halves a stack only if under a quarter of it
	// is in use: back to 2 KiB from 4 KiB with under 1 KiB in use, fewer
	// bytes than a landing takes.)
	growStack()
	land(off%stackPage, fn, 3)
}

// growStack makes the goroutine's stack larger than a page: 8 KiB or more.
//
//go:noinline
func growStack() {
	var page [stackPage]byte
	keep(&page[0])
}

// keep makes the compiler give what p points at a place in the caller's
// frame.
//
//go:noinline
func keep(p *byte) {}

// land runs fn if its own frame is at off, and otherwise descends to off,
// at most tries times.
//
//go:noinline
func land(off uintptr, fn func(at uintptr), tries int) {
	var mark byte
	here := uintptr(unsafe.Pointer(&mark))
	switch tries {
	case measureThrough:
		next(0, 0, off, fn, measureHere)
		return
	case measureHere:
		fn(here)
		return
	}
	d := (here - off) % stackPage
	if d < stackSlot {
		fn(here)
		return
	}
	p := descents()
	if tries <= 0 || p == nil {
		offTarget.Add(1)
		fn(here)
		return
	}
	// The steps start past land's own frame and the next it calls.
	s := p.steps[(d-p.land)%stackPage/stackSlot]
	next(s.wide, s.narrow, off, fn, tries-1)
}

// Negative tries put land in a measuring mode, for markVia.
const (
	measureHere    = -1 // run fn where land is
	measureThrough = -2 // descend by no step, to measure land's own frame
)

// next takes one more step of a descent, or lands at its end. It is a
// frame of its own, the same wherever it is called from, so that the
// frames measured are the frames a descent goes through.
//
//go:noinline
func next(wides, narrows int, off uintptr, fn func(at uintptr), tries int) {
	switch {
	case wides > 0:
		wide(wides-1, narrows, off, fn, tries)
	case narrows > 0:
		narrow(wides, narrows-1, off, fn, tries)
	default:
		land(off, fn, tries)
	}
}

// wide and narrow are the steps of a descent; wide's frame holds a word
// more, so that together they reach every offset.
//
//go:noinline
func wide(wides, narrows int, off uintptr, fn func(at uintptr), tries int) {
	var pad byte
	keep(&pad)
	next(wides, narrows, off, fn, tries)
}

//go:noinline
func narrow(wides, narrows int, off uintptr, fn func(at uintptr), tries int) {
	next(wides, narrows, off, fn, tries)
}

// A descent is how many wide and narrow steps take a frame down by some
// number of slots, modulo the page.
type descent struct{ wide, narrow int }

// descentPlan holds, for each k, the fewest steps whose frames add up to k
// slots (modulo the page), and how far land's frame and the next it calls
// take a descent before its first step.
type descentPlan struct {
	steps [stackSlots]descent
	land  uintptr
}

var (
	planOnce sync.Once
	plan     *descentPlan
)

// descents plans the descents once; nil if the frames cannot reach every
// offset.
func descents() *descentPlan {
	planOnce.Do(func() { plan = makePlan() })
	return plan
}

func makePlan() *descentPlan {
	// A stack that moves during a measurement (it grows, and is copied)
	// gives wrong sizes, so two measurements in a row must agree. A stack
	// moves once or twice at most before it is large enough.
	var last frameSizes
	for range 4 {
		f := measureFrames()
		if f != last || f.land == 0 {
			last = f
			continue
		}
		return planFor(f)
	}
	return nil
}

// planFor finds the fewest steps to each offset, breadth first over the
// page's slots, or nil if some offset cannot be reached (steps whose
// sizes in slots share a factor with the page's).
func planFor(f frameSizes) *descentPlan {
	p := &descentPlan{land: f.land}
	var seen [stackSlots]bool
	seen[0] = true
	queue := []int{0}
	for len(queue) > 0 {
		at := queue[0]
		queue = queue[1:]
		for _, step := range []struct {
			size         uintptr
			wide, narrow int
		}{{f.wide, 1, 0}, {f.narrow, 0, 1}} {
			to := (at + int(step.size/stackSlot)) % stackSlots
			if seen[to] {
				continue
			}
			seen[to] = true
			p.steps[to] = descent{p.steps[at].wide + step.wide, p.steps[at].narrow + step.narrow}
			queue = append(queue, to)
		}
	}
	for _, ok := range seen {
		if !ok {
			return nil
		}
	}
	return p
}

// frameSizes are how far land's frame, and one wide or narrow step, take
// the next landing down: each with the frame of next that it calls. They
// are the compiler's to choose.
type frameSizes struct{ land, wide, narrow uintptr }

// measureFrames measures the frames, or returns zeros if they are of no
// use (not whole slots, or a page or more).
func measureFrames() frameSizes {
	top := markVia(direct)
	f := frameSizes{land: top - markVia(viaLand), wide: top - markVia(viaWide), narrow: top - markVia(viaNarrow)}
	for _, size := range []uintptr{f.land, f.wide, f.narrow} {
		if size == 0 || size%stackSlot != 0 || size >= stackPage {
			return frameSizes{}
		}
	}
	return f
}

// The ways markVia reaches a landing.
const (
	direct    = iota // land at once
	viaLand          // through land's own frame, descending by no step
	viaWide          // through one wide step
	viaNarrow        // through one narrow step
)

// markVia lands the way it is told to, from this one frame each time, and
// returns the landing's marker.
//
//go:noinline
func markVia(way int) uintptr {
	var at uintptr
	record := func(a uintptr) { at = a }
	switch way {
	case direct:
		land(0, record, measureHere)
	case viaLand:
		land(0, record, measureThrough)
	case viaWide:
		wide(0, 0, 0, record, measureHere)
	default:
		narrow(0, 0, 0, record, measureHere)
	}
	return at
}
