package measure

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
)

// procReader follows one process tree through /proc.
//
// Finding the tree. gopsutil's Process.Children lists all of /proc and parses
// every process's status file (about 2.5 ms here), and the kernel's
// /proc/<pid>/task/<tid>/children lists are often compiled out
// (CONFIG_PROC_CHILDREN; absent on the kernel this was written on) and are
// per thread, so a Go worker with ten threads would need a directory listing
// plus ten reads. Even one plain getdents pass over /proc costs about 0.35 us
// per process on the machine. So the reader keeps what it knows between
// samples and only looks at pids that are new (see scan_linux.go):
//
//   - The last field of /proc/loadavg is the last pid the kernel allocated.
//     While it does not move, no process has been created, and /proc is not
//     listed at all.
//   - When it moves, /proc is listed from the first pid not yet covered
//     (the kernel hands pids out in increasing order up to pid_max, and the
//     /proc directory can be positioned at a pid), and only the new pids have
//     their stat read, for their parent pid.
//   - Once a second, and whenever the pids wrap around, the whole of /proc is
//     listed, in case a process showed up late.
//
// Membership is by birth: a process is in the tree if its parent was in the
// tree when it was first seen, and stays until it is reaped, even if its
// parent dies and it is reparented. An orphan left running is still the
// trial's cost. A process is known to be gone when reading it fails.
//
// Reading the tree. For each member the reader keeps /proc/<pid>/statm and
// /proc/<pid>/stat open and re-reads them with pread: no open, no path, no
// allocation, and a stale descriptor cannot read a new process that reused
// the pid (it fails with ESRCH). statm (about 0.6 us) gives RSS, split into
// anonymous and file pages, on every sample; stat (about 2.2 us for a Go
// program: the kernel formats 52 fields and walks the threads) gives CPU
// times only on the samples that ask. smaps_rollup, for PSS, is read far
// more rarely (see pss_linux.go).
type procReader struct {
	root     int
	pageSize uint64
	tps      float64

	procDir  int  // open /proc
	seekable bool // /proc can be listed from a given pid
	loadavg  int  // open /proc/loadavg; -1 if unreadable
	lastPID  int  // from loadavg; -1 until known
	covered  int  // every pid up to this one has been listed
	lastFull time.Time
	scans    int // listings so far, for the benchmark

	gen uint32
	// tree indexes the members; order holds them parents first (a process
	// joins after its parent), which read relies on.
	tree   map[int]*member
	order  []*member
	others map[int]uint32 // pids outside the tree -> generation last listed
	fresh  []int          // scratch: pids first listed by this scan
	found  map[int]*member
	gone   []*member // scratch: members that vanished during a read

	book     *cpuBook
	pss      pssBook
	dirBuf   []byte
	readBuf  []byte
	smapsBuf []byte
}

func newTreeReader(pid int) (treeReader, reading, error) {
	r := &procReader{
		root:     pid,
		pageSize: uint64(os.Getpagesize()),
		tps:      cpu.ClocksPerSec,
		procDir:  -1,
		loadavg:  -1,
		lastPID:  -1,
		tree:     make(map[int]*member),
		others:   make(map[int]uint32),
		found:    make(map[int]*member),
		book:     newCPUBook(),
		dirBuf:   make([]byte, 32<<10),
		readBuf:  make([]byte, 4096),
		smapsBuf: make([]byte, 8192),
	}
	if r.tps <= 0 {
		r.tps = 100 // USER_HZ on every Linux architecture
	}
	var err error
	if r.procDir, err = syscall.Open("/proc", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0); err != nil {
		return nil, reading{}, fmt.Errorf("open /proc: %w", err)
	}
	if r.loadavg, err = syscall.Open("/proc/loadavg", syscall.O_RDONLY|syscall.O_CLOEXEC, 0); err != nil {
		r.loadavg = -1 // without it every sample lists /proc: slower, still right
	}
	m, err := r.open(pid)
	if err != nil {
		r.close()
		if gone(err) {
			return nil, reading{}, fmt.Errorf("pid %d: %w", pid, ErrNoProcess)
		}
		return nil, reading{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	if err := m.openStatm(); err != nil {
		m.close()
		r.close()
		return nil, reading{}, err
	}
	r.join(m)
	if err := r.scan(1); err != nil {
		r.close()
		return nil, reading{}, err
	}
	r.seekable = r.canSeek()
	r.newPIDs()
	// Everything in the tree now predates sampling: its CPU so far is not
	// ours to count.
	rd, err := r.read(true, true)
	if rd.rootGone {
		r.close()
		return nil, reading{}, fmt.Errorf("pid %d: %w", pid, ErrNoProcess)
	}
	return r, rd, err
}

func (r *procReader) ticksPerSecond() float64 { return r.tps }

func (r *procReader) passNext() { r.pss.force = true }

// sample reads the tree's RSS and process count, and CPU when withCPU. It
// reports errors other than vanished processes, but still returns what it
// read.
func (r *procReader) sample(withCPU bool) (reading, error) {
	var scanErr error
	if from, ok := r.newPIDs(); ok {
		scanErr = r.scan(from)
	}
	rd, err := r.read(withCPU, false)
	if scanErr != nil {
		err = scanErr
	}
	return rd, err
}

// read reads every member. With baseline, CPU so far is recorded, not
// counted.
//
// The order matters for CPU. When a parent reaps a child, the child's time
// moves into the parent's reaped figure; the book must learn that the child
// vanished before it sees that growth, or it counts the child twice. Reading
// parents before children guarantees it: if a parent's figure already holds
// the child, the child was reaped before the parent was read, so its own read,
// later in the pass, fails. Vanishings are applied first, children before
// parents (so that a debt moves up), then the readings.
func (r *procReader) read(withCPU, baseline bool) (reading, error) {
	var rd reading
	var firstErr error
	r.gone = r.gone[:0]
	for _, m := range r.order {
		if m.dead {
			continue
		}
		alive, err := r.readMember(m, withCPU)
		if err != nil {
			firstErr = firstOf(firstErr, err)
		}
		if !alive {
			r.gone = append(r.gone, m)
			continue
		}
		if !m.zombie {
			rd.procs++
			rd.rssBytes += m.anonBytes + m.fileBytes
		}
	}
	for i := len(r.gone) - 1; i >= 0; i-- {
		r.drop(r.gone[i])
	}
	if now := time.Now(); r.pss.due(now) && rd.procs > 0 {
		rd.pssCost = r.pssPass(now)
	}
	r.pss.sampled()
	for _, m := range r.order {
		if !m.dead && !m.zombie {
			rd.pssBytes += r.pss.estimate(m)
		}
	}
	if withCPU {
		for _, m := range r.order {
			if m.dead {
				continue
			}
			if baseline {
				r.book.baseline(m.pid, m.ppid, m.own, m.reaped)
			} else {
				r.book.observe(m.pid, m.ppid, m.own, m.reaped)
			}
		}
		rd.cpuTicks = r.book.take()
	}
	r.compact()
	_, alive := r.tree[r.root]
	rd.rootGone = !alive
	return rd, firstErr
}

func (r *procReader) close() {
	for _, m := range r.order {
		m.close()
	}
	r.order = nil
	clear(r.tree)
	for _, fd := range []*int{&r.procDir, &r.loadavg} {
		if *fd >= 0 {
			syscall.Close(*fd)
			*fd = -1
		}
	}
}

// readMember reads a member's statm, and its stat when withCPU. It reports
// false if the member is gone; an error is anything else that went wrong,
// with the member's last figures left as they were.
func (r *procReader) readMember(m *member, withCPU bool) (alive bool, err error) {
	read := func(fd int, what string) ([]byte, bool, error) {
		if fd < 0 { // a member whose statm could not be opened is gone
			return nil, false, nil
		}
		b, err := preadAll(fd, r.readBuf)
		if err != nil || len(b) == 0 {
			if err != nil && !gone(err) {
				return nil, false, fmt.Errorf("pid %d: %s: %w", m.pid, what, err)
			}
			return nil, false, nil
		}
		return b, true, nil
	}
	// stat first: it is the one whose CPU figures the book orders by.
	if withCPU {
		b, ok, err := read(m.stat, "stat")
		if !ok {
			return false, err
		}
		st, ok := parseStat(b)
		if !ok {
			return true, fmt.Errorf("pid %d: unreadable stat %q", m.pid, b)
		}
		m.ppid, m.own, m.reaped = st.ppid, st.utime+st.stime, st.cutime+st.cstime
		m.zombie = st.state == 'Z'
	}
	b, ok, err := read(m.statm, "statm")
	if !ok {
		return false, err
	}
	st, ok := parseStatm(b)
	if !ok {
		return true, fmt.Errorf("pid %d: unreadable statm %q", m.pid, b)
	}
	// Only a process without memory reads size 0: a zombie, or one
	// between releasing its memory and becoming one.
	m.zombie = m.zombie || st.size == 0
	shared := min(st.shared, st.resident)
	m.anonBytes = (st.resident - shared) * r.pageSize
	m.fileBytes = shared * r.pageSize
	return true, nil
}
