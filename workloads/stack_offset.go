package workloads

import (
	"sync"
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
// luck, whatever it cost itself: the same 512 tasks took 9-15% longer from
// some call depths than from others (BenchmarkCPUTasksByStackBase). So
// each task runs at an offset chosen by its index, the same in every
// strategy and process, and the offsets of consecutive tasks spread evenly
// over the page: the same tasks' time then moves by no more than the
// measurement's own noise from one depth to another.

const (
	stackPage  = 4096
	stackSlot  = 8 // the granularity of stack addresses: frames are whole words
	stackSlots = stackPage / stackSlot
)

// stackOffset is task index's offset within the page: index times a
// stride close to the page's slots over the golden ratio, modulo the
// page. The stride is odd, so any stackSlots consecutive tasks take every
// slot once, and a shorter run of them is spread evenly.
func stackOffset(index uint64) uintptr {
	const stride = 317 // 512 / 1.618...
	return uintptr(index*stride%stackSlots) * stackSlot
}

// onStackAt runs fn from a frame whose marker sits at offset off within a
// page (to the slot), and passes it the marker's address. It descends
// through frames of two sizes to get there; if the goroutine's stack moved
// on the way (it grew, and was copied), it aims again from where it
// landed. It never fails: past its tries, or where the frames could not be
// measured, fn runs wherever the stack is.
func onStackAt(off uintptr, fn func(at uintptr)) {
	land(off%stackPage, fn, 3, false)
}

// land runs fn if its own frame is at off, and otherwise descends to off.
// probe makes it descend by no step at all, to measure its own frame.
//
//go:noinline
func land(off uintptr, fn func(at uintptr), tries int, probe bool) {
	var mark byte
	here := uintptr(unsafe.Pointer(&mark))
	if probe {
		next(0, 0, off, fn, tries-1)
		return
	}
	d := (here - off) % stackPage
	if d < stackSlot || tries == 0 {
		fn(here)
		return
	}
	p := descents()
	if p == nil {
		fn(here)
		return
	}
	// The steps go below land's own frame.
	s := p.steps[(d-p.land)%stackPage/stackSlot]
	if !s.ok {
		fn(here)
		return
	}
	next(s.wide, s.narrow, off, fn, tries-1)
}

// next takes one more step of a descent, or lands at its end.
func next(wides, narrows int, off uintptr, fn func(at uintptr), tries int) {
	switch {
	case wides > 0:
		wide(wides-1, narrows, off, fn, tries)
	case narrows > 0:
		narrow(wides, narrows-1, off, fn, tries)
	default:
		land(off, fn, tries, false)
	}
}

// wide and narrow are the steps of a descent; their frames differ by pad,
// so that together they reach every offset.
//
//go:noinline
func wide(wides, narrows int, off uintptr, fn func(at uintptr), tries int) {
	var pad [1]uintptr
	keep(&pad)
	next(wides, narrows, off, fn, tries)
}

// keep makes the compiler give pad a place in wide's frame.
//
//go:noinline
func keep(*[1]uintptr) {}

//go:noinline
func narrow(wides, narrows int, off uintptr, fn func(at uintptr), tries int) {
	next(wides, narrows, off, fn, tries)
}

// A descent is how many wide and narrow steps take a frame down by some
// number of slots, modulo the page.
type descent struct {
	wide, narrow int
	ok           bool
}

// descentPlan is the shortest descent to each offset below land's frame,
// and the size of that frame.
type descentPlan struct {
	steps [stackSlots]descent
	land  uintptr
}

var (
	planOnce sync.Once
	plan     *descentPlan
)

// descents plans the descents once; nil if the frames are of no use.
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
		p := &descentPlan{land: f.land}
		for w := uintptr(0); w*f.wide < stackPage+f.wide; w++ {
			for n := uintptr(0); n*f.narrow < stackPage+f.narrow; n++ {
				d := (w*f.wide + n*f.narrow) % stackPage / stackSlot
				if c := p.steps[d]; !c.ok || int(w+n) < c.wide+c.narrow {
					p.steps[d] = descent{wide: int(w), narrow: int(n), ok: true}
				}
			}
		}
		return p
	}
	return nil
}

// frameSizes are the frame sizes of land and of the two steps, which are
// the compiler's to choose.
type frameSizes struct{ land, wide, narrow uintptr }

// measureFrames measures the frames, or returns zeros if they are of no
// use (the steps' equal, or any not whole slots, or a page or more).
func measureFrames() frameSizes {
	top := markVia(0)
	f := frameSizes{land: top - markVia(1), wide: top - markVia(2), narrow: top - markVia(3)}
	for _, size := range []uintptr{f.land, f.wide, f.narrow} {
		if size == 0 || size%stackSlot != 0 || size >= stackPage {
			return frameSizes{}
		}
	}
	if f.wide == f.narrow {
		return frameSizes{}
	}
	return f
}

// markVia lands directly (0), through land's own frame (1), through one
// wide step (2) or one narrow step (3), each called from this one frame,
// and returns the landing's marker.
//
//go:noinline
func markVia(step int) uintptr {
	var at uintptr
	record := func(a uintptr) { at = a }
	switch step {
	case 0:
		land(0, record, 0, false)
	case 1:
		land(0, record, 1, true)
	case 2:
		wide(0, 0, 0, record, 0)
	default:
		narrow(0, 0, 0, record, 0)
	}
	return at
}
