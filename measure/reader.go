package measure

// treeReader reads one process tree; each operating system has its own.
// Readers are used by one goroutine at a time.
type treeReader interface {
	// sample reads the tree now; CPU times only if withCPU, because on
	// Linux they cost three times as much as RSS. Processes that vanish
	// while being read are not errors; an error reports anything else that
	// went wrong, alongside what could still be read.
	sample(withCPU bool) (reading, error)
	// passNext makes the next sample take a PSS pass however recent the
	// last one was (where there are passes).
	passNext()
	// ticksPerSecond is the unit of reading.cpuTicks.
	ticksPerSecond() float64
	// close releases what the reader holds open.
	close()
}

// reading is one sample of the tree.
type reading struct {
	rssBytes uint64 // summed over live members
	// pssBytes is the PSS summed over live members (see pss_linux.go); 0
	// where it cannot be read.
	pssBytes uint64
	// pssCost is the CPU, in seconds, spent on a PSS pass in this reading
	// (0 if none was due): passes keep to a budget of their own.
	pssCost  float64
	procs    int    // live members; zombies are not counted
	cpuTicks uint64 // CPU used since the previous reading with CPU (see cpuBook)
	rootGone bool   // the root has been reaped: nothing more to sample
}

// firstOf returns first unless it is nil: the first error is the one worth
// reporting, the later ones usually follow from it.
func firstOf(first, next error) error {
	if first != nil {
		return first
	}
	return next
}
