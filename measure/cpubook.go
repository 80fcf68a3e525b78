package measure

// cpuBook turns readings of each process's cumulative CPU time into the CPU
// the tree used between two readings, without counting anything twice and
// without losing what a reaped process used after it was last read.
//
// Summing the live processes' times and differencing the sums would drop a
// process's whole CPU the moment it is reaped (and report negative use). So
// the book counts growth per process instead, in two parts:
//
//   - own: the process's own user+system time; its growth always counts.
//   - reaped: the user+system time of the children it has waited for (their
//     own reaped descendants included), as the kernel accumulates it. When a
//     child is reaped, its whole time moves into its parent's reaped figure.
//     The part of that time the book had already counted while the child
//     lived is recorded as a debt on the parent, paid off from the parent's
//     reaped growth first; only the rest, the child's unseen last stretch,
//     counts.
//
// Growth is clamped at zero per process, so the figure is never negative. It
// still undercounts in one case: a child whose parent never waits for it
// (SIGCHLD ignored, or reparented outside the tree) takes its last stretch
// with it. The exact totals of a finished trial are in its rusage (Rusage).
//
// Units are whatever the reader's ticks are (clock ticks on Linux).
type cpuBook struct {
	procs   map[int]*cpuProc
	counted uint64 // ticks counted since the last take
}

type cpuProc struct {
	ppid   int
	own    uint64 // own time at the last reading
	reaped uint64 // reaped children's time at the last reading
	debt   uint64 // already-counted time of reaped children not yet seen in reaped
}

func newCPUBook() *cpuBook {
	return &cpuBook{procs: make(map[int]*cpuProc)}
}

// baseline records a process that existed when sampling started: what it had
// used by then is not the sampler's to count.
func (b *cpuBook) baseline(pid, ppid int, own, reaped uint64) {
	b.procs[pid] = &cpuProc{ppid: ppid, own: own, reaped: reaped}
}

// born records a process that started while sampling ran: its first reading
// counts in full.
func (b *cpuBook) born(pid, ppid int) {
	if _, ok := b.procs[pid]; !ok {
		b.procs[pid] = &cpuProc{ppid: ppid}
	}
}

// observe records a reading of a process's cumulative times.
func (b *cpuBook) observe(pid, ppid int, own, reaped uint64) {
	p, ok := b.procs[pid]
	if !ok {
		p = &cpuProc{}
		b.procs[pid] = p
	}
	p.ppid = ppid
	if own > p.own {
		b.counted += own - p.own
		p.own = own
	}
	if reaped > p.reaped {
		grown := reaped - p.reaped
		pay := min(grown, p.debt)
		p.debt -= pay
		b.counted += grown - pay
		p.reaped = reaped
	}
}

// vanish records that a process is gone (reaped). Everything counted for it
// and its subtree becomes a debt on its parent, whose reaped figure is about
// to include it. If the parent is not in the book (the root, or a process
// reparented outside the tree), nothing more of it will be seen.
func (b *cpuBook) vanish(pid int) {
	p, ok := b.procs[pid]
	if !ok {
		return
	}
	delete(b.procs, pid)
	if parent, ok := b.procs[p.ppid]; ok && p.ppid != pid {
		parent.debt += p.own + p.reaped + p.debt
	}
}

// take returns the ticks counted since the previous take.
func (b *cpuBook) take() uint64 {
	c := b.counted
	b.counted = 0
	return c
}
