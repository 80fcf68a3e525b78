package measure

import (
	"bytes"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// PSS (proportional set size) charges each resident page to the processes
// mapping it in equal shares: the poolbench binary's text, mapped by every
// worker, counts once over all of them instead of once per process as in
// RSS. The kernel gives it in /proc/<pid>/smaps_rollup, but only by walking
// the process's page tables: about 150 us for an idle Go worker here, 250
// times a statm read. A tree of 100 workers would cost 15 ms a pass, so
// passes are rationed (pssBook.due) and the figure is carried between them
// by statm, which splits RSS into anonymous and file-backed pages:
//
//	pss ~ anon * anonShare + fileShare
//
// anonShare is the fraction of its anonymous pages a member was charged
// for at its last pass (less than 1 when they are shared copy-on-write
// after a fork), fileShare the bytes its file pages were charged. Anonymous
// memory, which carries the growth of a process, is so counted page for
// page. The file part is held as measured because its share falls as more
// processes map the same binary: a share taken when ten workers ran would
// overstate a hundred.
//
// A member no pass has read yet counts only what is surely its own. Nothing
// in statm says what it shares: a child forked without exec (CPython's
// fork start method) shares all its parent's anonymous pages, and counting
// them again as its own put a pool of four at several times the kernel's
// figure; while it touches nothing of its own, its parent's stale share
// holds the pages they share, once. So it counts nothing. A child found
// exec'd (its arguments sit elsewhere than its parent's: procReader.execd)
// has anonymous pages of its own: they count in full. Its binary's text,
// which no member read yet may map, is missed until a pass. A pass is due
// at the first reading after new members joined (see due), not 100 ms
// later, which a short trial never reached. It leaves out members that
// still run in their parent's memory map: one started by os/exec may not
// have reached exec yet, and until it does it shares its parent's map,
// which a pass would count twice (and its arguments are its parent's: it
// counts nothing meanwhile). Children forked without exec are read with
// their parent (passReads).
//
// So at a pass the figure is exact; between passes it leans low rather than
// high, and the peak, a maximum over samples, is not raised by a stale
// share.
//
// gopsutil reads the same file (Process.MemoryMaps with grouped set), but
// parses it whole into strings each time; the reader reads it into a buffer
// it keeps and picks out the Pss lines.

// pssMinGap is the shortest time between two passes of a tree whose
// membership has not changed: its sharing does not change faster than its
// processes start, and a pass of a small tree every 100 ms costs next to
// nothing.
const pssMinGap = 100 * time.Millisecond

// pssBurst is the CPU that passes may spend ahead of CostBudget: enough to
// read a pool of tens of workers once as it starts, so that a short trial
// is not measured from estimates alone, and what a trial of half a second
// would be allowed anyway.
const pssBurst = 5e-3

// pssShares is what one pass measured of a member.
type pssShares struct {
	anon float64 // fraction of the member's anonymous pages it is charged for
	file uint64  // bytes its file-backed and shared-memory pages were charged
}

// pssBook rations the passes: all of them together stay within CostBudget
// of a core since the first, plus pssBurst, and no more than pssBurst of
// credit is saved up while the tree is cheap to read.
type pssBook struct {
	first   time.Time // the first pass
	last    time.Time // the latest pass
	spent   float64   // CPU seconds all passes cost
	force   bool      // the next reading takes a pass, budget or not
	reading uint64    // readings ended so far (see sampled)
	fresh   bool      // members joined in this reading
	pending bool      // members that joined in an earlier reading await a pass
	seen    bool      // a pass has read a member's smaps_rollup
}

// joined notes a new member and returns the reading it joined in.
func (b *pssBook) joined() uint64 {
	b.fresh = true
	return b.reading
}

// due reports whether a pass is due now: when asked for; otherwise, within
// the budget, when members that joined before this reading await one, or
// pssMinGap after the last pass.
func (b *pssBook) due(now time.Time) bool {
	switch {
	case b.force || b.first.IsZero():
		return true
	case b.spent > pssBurst+CostBudget*now.Sub(b.first).Seconds():
		return false
	}
	return b.pending || now.Sub(b.last) >= pssMinGap
}

// reads reports whether a pass reads a member that joined in reading
// joined: not in the reading it joined in, except at the first pass,
// which reads the tree as sampling found it.
func (b *pssBook) reads(joined uint64) bool { return b.first.IsZero() || joined != b.reading }

// sampled ends a reading: what joined in it awaits a pass from the next.
func (b *pssBook) sampled() {
	b.pending = b.pending || b.fresh
	b.fresh = false
	b.reading++
}

// passed records a pass at now that cost cost seconds of CPU and read read
// members: every member but those of this reading.
func (b *pssBook) passed(now time.Time, cost float64, read int) {
	if b.first.IsZero() {
		b.first = now
		b.fresh = false // the first pass read them all
	}
	// Credit left unspent beyond pssBurst lapses: a tree cheap to read for
	// a minute must not buy a second of passes over a large one.
	b.spent = max(b.spent, CostBudget*now.Sub(b.first).Seconds())
	b.last = now
	b.spent += cost
	b.force = false
	b.pending = false
	b.seen = b.seen || read > 0
}

// estimate is a member's PSS in bytes from its statm figures and its
// shares at its last pass; before one has read it, its anonymous pages if
// it was exec'd, 0 if it may share them with its parent. Where
// smaps_rollup cannot be read at all (Linux before 4.14, or no permission)
// there is no PSS, and the caller reports none rather than a guess.
func (b *pssBook) estimate(m *member) uint64 {
	switch {
	case !b.seen:
		return 0
	case m.pssPassed:
		return uint64(float64(m.anonBytes)*m.pss.anon) + m.pss.file
	case m.execd:
		return m.anonBytes
	}
	return 0
}

// pssPass reads smaps_rollup of every live member (whose statm figures are
// fresh) that passReads, and sets their shares. It returns the CPU it cost,
// in seconds (0 where the thread's CPU clock cannot be read).
func (r *procReader) pssPass(now time.Time) (cost float64) {
	cpu0, clock := threadCPU()
	read := 0
	for _, m := range r.order {
		if m.dead || m.zombie || !r.passReads(m) {
			continue
		}
		// Opened afresh at each pass, unlike statm: the file holds the
		// memory map the process had when it was opened, so after an exec
		// it would fail, and one opened between os/exec's clone and exec
		// would go on reading the parent's. An open costs a few
		// microseconds against the page-table walk's hundreds.
		fd, err := syscall.Open("/proc/"+strconv.Itoa(m.pid)+"/smaps_rollup", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			continue // gone, or a kernel without it: it keeps what it had
		}
		b, err := preadAll(fd, r.smapsBuf)
		syscall.Close(fd)
		if err != nil || len(b) == 0 {
			continue
		}
		roll, ok := parseSmapsRollup(b)
		if !ok {
			continue
		}
		m.pss = roll.shares(m.anonBytes)
		m.pssPassed = true
		read++
	}
	if cpu1, ok := threadCPU(); clock && ok && cpu1 >= cpu0 {
		cost = cpu1 - cpu0
	}
	r.pss.passed(now, cost, read)
	return cost
}

// kcmpVM is kcmp(2)'s KCMP_VM: whether two processes share one memory map.
const kcmpVM = 1

// passReads reports whether a pass reads m now. A child os/exec started
// runs in its parent's memory map until it execs (vfork), for as long as
// that takes: read then, the parent's pages would count twice. A child
// forked without exec has a map of its own, copy-on-write, and is read in
// the same pass as its parent: read apart, the parent's share of the pages
// they now share would fall (to a fifth with four children) while the
// children, not yet read, count nothing. kcmp tells the two apart, asked at
// each pass until it says the map is the child's own; where it cannot be
// asked (a kernel without it, a seccomp filter), a child is left out in
// the reading that found it (pssBook.reads) and read from the next.
func (r *procReader) passReads(m *member) bool {
	if m.execd || m.ownMap {
		return true
	}
	shares, known := sharesParentsMap(m)
	if known && !shares {
		m.ownMap = true
	}
	if known {
		return !shares
	}
	return r.pss.reads(m.joined)
}

// sharesParentsMap asks kcmp whether m runs in its parent's memory map;
// known is false where kcmp cannot be asked.
func sharesParentsMap(m *member) (shares, known bool) {
	same, _, errno := syscall.Syscall6(unix.SYS_KCMP, uintptr(m.pid), uintptr(m.ppid), kcmpVM, 0, 0, 0)
	if errno != 0 {
		return false, false
	}
	return same == 0, true
}

// smapsRollup holds the fields of /proc/<pid>/smaps_rollup the reader uses,
// in bytes.
type smapsRollup struct {
	pss, pssAnon, pssFile, pssShmem uint64
	split                           bool // Pss_Anon and the rest were there (Linux 5.8 and later)
}

// shares turns a rollup into the fraction of the member's anonymous pages
// (anon bytes, from statm read just before) and the bytes of its other
// pages it is charged for. Without the split, the PSS is put on the
// anonymous pages first, since they are the private part.
func (s smapsRollup) shares(anon uint64) pssShares {
	frac := func(part, of uint64) float64 {
		if of == 0 {
			return 1
		}
		return min(float64(part)/float64(of), 1)
	}
	if s.split {
		return pssShares{frac(s.pssAnon, anon), s.pssFile + s.pssShmem}
	}
	onAnon := min(s.pss, anon)
	return pssShares{frac(onAnon, anon), s.pss - onAnon}
}

// parseSmapsRollup reads the Pss lines of smaps_rollup ("Pss:   4205 kB").
func parseSmapsRollup(b []byte) (smapsRollup, bool) {
	var s smapsRollup
	found := false
	for line := range bytes.Lines(b) {
		name, rest, ok := bytes.Cut(line, []byte(":"))
		if !ok || !bytes.HasPrefix(name, []byte("Pss")) {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return s, false
		}
		kib, ok := parseUint(f[0])
		if !ok {
			return s, false
		}
		v := kib << 10
		switch string(name) {
		case "Pss":
			s.pss, found = v, true
		case "Pss_Anon":
			s.pssAnon, s.split = v, true
		case "Pss_File":
			s.pssFile = v
		case "Pss_Shmem":
			s.pssShmem = v
		}
	}
	return s, found
}
