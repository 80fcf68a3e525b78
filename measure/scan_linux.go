package measure

import (
	"fmt"
	"strconv"
	"syscall"
	"time"
)

// tgidOffset is where the pids start in /proc's directory positions: the
// listing of pid p is at tgidOffset+p (fs/proc/base.c: TGID_OFFSET, which is
// FIRST_PROCESS_ENTRY + 2). canSeek checks it on the running kernel before
// the reader relies on it.
const tgidOffset = 256 + 2

// fullScanEvery bounds how long a process can go unnoticed if it became
// visible in /proc later than the reader assumed.
const fullScanEvery = time.Second

// newPIDs reports whether /proc needs listing, and from which pid.
//
// The pids up to the loadavg reading of the previous sample were allocated at
// least one interval ago, long enough to show in /proc (a pid is allocated a
// moment before its process is listed), so a listing now sees all of them
// that live: they become covered. Later pids are listed again next time.
func (r *procReader) newPIDs() (from int, ok bool) {
	last := -1
	if r.loadavg >= 0 {
		if b, err := preadAll(r.loadavg, r.readBuf); err == nil {
			if v, ok := parseLastPID(b); ok {
				last = v
			}
		}
	}
	if last < 0 || !r.seekable || time.Since(r.lastFull) >= fullScanEvery {
		r.covered = max(r.lastPID, 0)
		r.lastPID = last
		return 1, true
	}
	if last < r.lastPID { // the pids wrapped around pid_max
		r.covered = 0
	}
	prev := r.lastPID
	r.lastPID = last
	if r.covered >= last {
		return 0, false
	}
	from = r.covered + 1
	r.covered = max(r.covered, prev)
	return from, true
}

// scan lists /proc from pid from on, and adds new processes whose parent is
// in the tree. Members that are gone are found by read, not here.
func (r *procReader) scan(from int) error {
	r.gen++
	r.scans++
	pos := int64(0)
	if from > 1 {
		pos = tgidOffset + int64(from)
	} else {
		r.lastFull = time.Now()
	}
	if _, err := syscall.Seek(r.procDir, pos, 0); err != nil {
		return fmt.Errorf("list /proc: %w", err)
	}
	r.fresh = r.fresh[:0]
	for {
		n, err := syscall.Getdents(r.procDir, r.dirBuf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("list /proc: %w", err)
		}
		if n <= 0 {
			break
		}
		direntPIDs(r.dirBuf[:n], r.listed)
	}
	for pid, g := range r.others {
		if pid >= from && g != r.gen {
			delete(r.others, pid) // in the listed range and not listed: gone
		}
	}
	var firstErr error
	for _, pid := range r.fresh {
		m, err := r.open(pid)
		if err != nil {
			if !gone(err) && firstErr == nil {
				firstErr = fmt.Errorf("pid %d: %w", pid, err)
			}
			continue
		}
		r.found[pid] = m
	}
	for _, pid := range r.fresh {
		if _, err := r.place(pid, 0); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for pid, m := range r.found { // left by a cycle of parents: not ours
		m.close()
		delete(r.found, pid)
	}
	return firstErr
}

// canSeek checks that positioning /proc at tgidOffset+pid lists pid first:
// the root is alive, so a listing from it must start with it.
func (r *procReader) canSeek() bool {
	if _, err := syscall.Seek(r.procDir, tgidOffset+int64(r.root), 0); err != nil {
		return false
	}
	n, err := syscall.Getdents(r.procDir, r.dirBuf)
	if err != nil || n <= 0 {
		return false
	}
	first := -1
	direntPIDs(r.dirBuf[:n], func(pid int) {
		if first < 0 {
			first = pid
		}
	})
	return first == r.root
}

func (r *procReader) listed(pid int) {
	if _, ok := r.tree[pid]; ok {
		return
	}
	if _, ok := r.others[pid]; ok {
		r.others[pid] = r.gen
		return
	}
	r.fresh = append(r.fresh, pid)
}

// place decides whether a newly found pid joins the tree: it does if its
// parent is in the tree, or is newly found too and joins (placed first, so
// that order keeps parents before children). It reports whether pid is in
// the tree.
func (r *procReader) place(pid, depth int) (in bool, err error) {
	if _, ok := r.tree[pid]; ok {
		return true, nil
	}
	m, ok := r.found[pid]
	if !ok || depth > 64 {
		return false, nil
	}
	delete(r.found, pid)
	if in, err = r.place(m.ppid, depth+1); in {
		err = firstOf(err, m.openStatm())
		m.execd = r.execd(m, r.tree[m.ppid])
		r.join(m)
		return true, err
	}
	m.close()
	r.others[pid] = r.gen
	return false, err
}

// execd reports whether m, found as its parent's child, has been exec'd:
// its arguments sit elsewhere than its parent's do now (statArgStart), so
// its memory is its own (see pssBook.estimate). The parent's are read
// afresh, as it may have exec'd itself since it was found (a shell's
// exec, or a child found between os/exec's clone and exec). Where either
// is unknown it is not: a fork child's pages must not count twice.
func (r *procReader) execd(m, parent *member) bool {
	if m.argStart == 0 || parent.stat < 0 {
		return false
	}
	b, err := preadAll(parent.stat, r.readBuf)
	if err != nil {
		return false
	}
	p := statArgStart(b)
	return p != 0 && p != m.argStart
}

// open opens a process's stat and reads its parent pid.
func (r *procReader) open(pid int) (*member, error) {
	stat, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	m := &member{pid: pid, stat: stat, statm: -1}
	b, err := preadAll(stat, r.readBuf)
	if err == nil && len(b) == 0 {
		err = syscall.ESRCH
	}
	if err != nil {
		m.close()
		return nil, err
	}
	st, ok := parseStat(b)
	if !ok {
		m.close()
		return nil, fmt.Errorf("unreadable stat %q", b)
	}
	m.ppid = st.ppid
	m.argStart = statArgStart(b)
	return m, nil
}

// openStatm opens a new member's statm. Processes outside the tree never get
// this far: one open and one read each is all they cost. If the process is
// already gone, statm stays closed and the next read drops it.
func (m *member) openStatm() error {
	fd, err := syscall.Open("/proc/"+strconv.Itoa(m.pid)+"/statm", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		if gone(err) {
			return nil
		}
		return fmt.Errorf("pid %d: %w", m.pid, err)
	}
	m.statm = fd
	return nil
}
