//go:build !linux

package measure

import (
	"errors"
	"fmt"
	"slices"

	"github.com/shirou/gopsutil/v4/process"
)

// gopsReader follows a process tree through gopsutil where there is no
// /proc to read cheaply. Each sample lists every process and asks each for
// its parent, which costs milliseconds: at the default interval the sampler
// costs far more than on Linux, so use a longer interval there.
//
// Membership is by birth, as on Linux: a process joins when first seen with
// a parent in the tree and stays until it is gone.
type gopsReader struct {
	root  int32
	tree  map[int32]*process.Process
	known map[int32]bool // pids already classified, in the tree or not
	book  *cpuBook
}

func (r *gopsReader) passNext() {}

func newTreeReader(pid int) (treeReader, reading, error) {
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		if errors.Is(err, process.ErrorProcessNotRunning) {
			return nil, reading{}, fmt.Errorf("pid %d: %w", pid, ErrNoProcess)
		}
		return nil, reading{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	r := &gopsReader{
		root:  int32(pid),
		tree:  map[int32]*process.Process{int32(pid): p},
		known: map[int32]bool{int32(pid): true},
		book:  newCPUBook(),
	}
	err = r.scan()
	rd, rerr := r.read(true, true)
	if rd.rootGone {
		return nil, reading{}, fmt.Errorf("pid %d: %w", pid, ErrNoProcess)
	}
	return r, rd, firstOf(err, rerr)
}

// ticksPerSecond: times are recorded in nanoseconds.
func (r *gopsReader) ticksPerSecond() float64 { return 1e9 }

func (r *gopsReader) sample(withCPU bool) (reading, error) {
	err := r.scan()
	rd, rerr := r.read(withCPU, false)
	return rd, firstOf(err, rerr)
}

func (r *gopsReader) scan() error {
	pids, err := process.Pids()
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	slices.Sort(pids) // parents usually have lower pids: fewer passes
	listed := make(map[int32]bool, len(pids))
	for _, pid := range pids {
		listed[pid] = true
	}
	for pid := range r.tree {
		if !listed[pid] {
			r.drop(pid)
		}
	}
	for pid := range r.known {
		if !listed[pid] {
			delete(r.known, pid)
		}
	}
	parents := make(map[int32]int32)
	for _, pid := range pids {
		if r.known[pid] {
			continue
		}
		p, err := process.NewProcess(pid)
		if err != nil {
			continue
		}
		ppid, err := p.Ppid()
		if err != nil {
			continue
		}
		parents[pid] = ppid
	}
	// Resolve new pids whose parent is in the tree, until nothing changes.
	for changed := true; changed; {
		changed = false
		for pid, ppid := range parents {
			if _, ok := r.tree[ppid]; !ok {
				continue
			}
			if p, err := process.NewProcess(pid); err == nil {
				r.tree[pid] = p
				r.book.born(int(pid), int(ppid))
			}
			r.known[pid] = true
			delete(parents, pid)
			changed = true
		}
	}
	for pid := range parents {
		r.known[pid] = true
	}
	return nil
}

func (r *gopsReader) read(withCPU, baseline bool) (reading, error) {
	var rd reading
	for pid, p := range r.tree {
		mem, err := p.MemoryInfo()
		if err != nil {
			r.drop(pid)
			continue
		}
		if status, err := p.Status(); err == nil && slices.Contains(status, process.Zombie) {
			continue
		}
		rd.procs++
		rd.rssBytes += mem.RSS
		if !withCPU {
			continue
		}
		times, err := p.Times()
		if err != nil {
			continue
		}
		ppid, _ := p.Ppid()
		own := uint64((times.User + times.System) * 1e9)
		if baseline {
			r.book.baseline(int(pid), int(ppid), own, 0)
		} else {
			r.book.observe(int(pid), int(ppid), own, 0)
		}
	}
	_, alive := r.tree[r.root]
	rd.rootGone = !alive
	if withCPU {
		rd.cpuTicks = r.book.take()
	}
	return rd, nil
}

func (r *gopsReader) drop(pid int32) {
	delete(r.tree, pid)
	r.book.vanish(int(pid))
}

func (r *gopsReader) close() {}
