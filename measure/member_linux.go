package measure

import (
	"slices"
	"syscall"
)

// member is one process of the tree, with its /proc files held open.
type member struct {
	pid         int
	stat, statm int // open descriptors
	ppid        int
	dead        bool   // dropped; removed from order at the end of a pass
	zombie      bool   // exited, not yet reaped: no memory, not counted
	own, reaped uint64 // CPU ticks from the last stat read

	anonBytes, fileBytes uint64    // resident anonymous / file-backed memory at the last statm read
	pss                  pssShares // from its last PSS pass, if pssPassed
	pssPassed            bool
	joined               uint64 // the reading it joined in (pssBook.joined)
	argStart             uint64 // statArgStart when it was found
	ownMap               bool   // kcmp found its memory map apart from its parent's (passReads)
	execd                bool   // found exec'd: its memory is its own (procReader.execd)
}

// join adds a member after every member already there, so after its parent.
func (r *procReader) join(m *member) {
	r.tree[m.pid] = m
	r.order = append(r.order, m)
	m.joined = r.pss.joined()
	r.book.born(m.pid, m.ppid)
}

// drop removes a member that is gone; its children are dropped before it
// (callers go through order backwards), so the CPU book can pass debts up.
func (r *procReader) drop(m *member) {
	if m.dead {
		return
	}
	m.dead = true
	m.close()
	delete(r.tree, m.pid)
	r.book.vanish(m.pid)
}

// compact removes dropped members from order.
func (r *procReader) compact() {
	r.order = slices.DeleteFunc(r.order, func(m *member) bool { return m.dead })
}

func (m *member) close() {
	if m.stat >= 0 {
		syscall.Close(m.stat)
		m.stat = -1
	}
	if m.statm >= 0 {
		syscall.Close(m.statm)
		m.statm = -1
	}
}
