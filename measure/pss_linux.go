package measure

import (
	"bytes"
	"strconv"
	"syscall"
	"time"
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
// anonShare is the fraction of its anonymous pages a member is charged for
// (less than 1 when they are shared copy-on-write after a fork), fileShare
// the bytes its file pages were charged at its last pass. Anonymous memory,
// which carries the growth of a process, is so counted page for page. The
// file part is held as measured because its share falls as more processes
// map the same binary: a share taken when ten workers ran would overstate a
// hundred. For the same reason a member born since the last pass counts
// its anonymous pages only (at the tree's average share), until a pass reads
// it: at most its share of the binary's text is missed meanwhile, which in
// a tree of a hundred processes is under a tenth of its own.
//
// So at a pass the figure is exact; between passes it leans low rather than
// high, and the peak, a maximum over samples, is not raised by a stale
// share.
//
// gopsutil reads the same file (Process.MemoryMaps with grouped set), but
// opens and parses it whole into strings each time; the reader keeps it open
// and re-reads it with pread, as it does statm.

// pssMinGap is the shortest time between two passes: a tree's sharing does
// not change faster than its processes start, and a pass of a small tree
// every 100 ms costs next to nothing.
const pssMinGap = 100 * time.Millisecond

// pssShares is what one pass measured of a member.
type pssShares struct {
	anon float64 // fraction of the member's anonymous pages it is charged for
	file uint64  // bytes its file-backed and shared-memory pages were charged
}

// pssBook rations the passes and keeps the tree's average shares.
type pssBook struct {
	next time.Time // earliest time of the next pass
	anon float64   // the tree's anonymous share at the last pass
	seen bool      // a pass has read a member's smaps_rollup
}

// due reports whether a pass is due now.
func (b *pssBook) due(now time.Time) bool { return !now.Before(b.next) }

// passed schedules the next pass after a pass that cost cost seconds of
// CPU, so that passes stay within CostBudget of a core.
func (b *pssBook) passed(now time.Time, cost float64, read int) {
	gap := time.Duration(cost / CostBudget * float64(time.Second))
	b.next = now.Add(max(gap, pssMinGap))
	b.seen = b.seen || read > 0
}

// estimate is a member's PSS in bytes from its statm figures, with its own
// shares if it has been through a pass, the tree's anonymous share
// otherwise. It is 0 until a pass has read some member: where smaps_rollup
// cannot be read (Linux before 4.14, or no permission) there is no PSS, and
// the caller reports none rather than a guess.
func (b *pssBook) estimate(m *member) uint64 {
	switch {
	case !b.seen:
		return 0
	case m.pssPassed:
		return uint64(float64(m.anonBytes)*m.pss.anon) + m.pss.file
	}
	return uint64(float64(m.anonBytes) * b.anon)
}

// pssPass reads smaps_rollup of every live member (whose statm figures are
// fresh) and sets its shares and the tree's. It returns the CPU it cost, in
// seconds (0 where the thread's CPU clock cannot be read).
func (r *procReader) pssPass(now time.Time) (cost float64) {
	cpu0, clock := threadCPU()
	var anon, pssAnon float64
	read := 0
	for _, m := range r.order {
		if m.dead || m.zombie {
			continue
		}
		if m.smaps < 0 {
			fd, err := syscall.Open("/proc/"+strconv.Itoa(m.pid)+"/smaps_rollup", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
			if err != nil {
				continue // gone, or a kernel without it: the tree's shares stand in
			}
			m.smaps = fd
		}
		b, err := preadAll(m.smaps, r.smapsBuf)
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
		anon += float64(m.anonBytes)
		pssAnon += float64(m.anonBytes) * m.pss.anon
	}
	if read > 0 {
		r.pss.anon = 1
		if anon > 0 {
			r.pss.anon = pssAnon / anon
		}
	}
	if cpu1, ok := threadCPU(); clock && ok && cpu1 >= cpu0 {
		cost = cpu1 - cpu0
	}
	r.pss.passed(now, cost, read)
	return cost
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
