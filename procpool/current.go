package procpool

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// currentTask is a page of memory shared between the parent and one worker,
// in which the worker publishes the id of the task it is running and when it
// started it. Results travel in batches, so when a worker dies the parent
// cannot tell from the pipe alone which task killed it, nor, for a task
// timeout, how long the running task has run; this tells it exactly, at the
// cost of a few memory stores per task instead of a write per task.
type currentTask struct {
	file *os.File
	mem  []byte
}

const workerCurrentFD = 5

func newCurrentTask() (*currentTask, error) {
	fd, err := unix.MemfdCreate("procpool-current", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd: %w", err)
	}
	f := os.NewFile(uintptr(fd), "procpool-current")
	if err := f.Truncate(16); err != nil {
		f.Close()
		return nil, fmt.Errorf("memfd size: %w", err)
	}
	c, err := mapCurrentTask(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
}

func mapCurrentTask(f *os.File) (*currentTask, error) {
	mem, err := unix.Mmap(int(f.Fd()), 0, 16, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	return &currentTask{file: f, mem: mem}, nil
}

func (c *currentTask) word(i int) *uint64 { return (*uint64)(unsafe.Pointer(&c.mem[8*i])) }

// set publishes the running task's id and start (Unix nanoseconds); id 0
// means between tasks. The start is stored first, so a reader that sees an
// id sees its start or a later one.
func (c *currentTask) set(id uint64, start int64) {
	if id != 0 {
		atomic.StoreUint64(c.word(1), uint64(start))
	}
	atomic.StoreUint64(c.word(0), id)
}

// get returns the running task's id (0 if none) and its start. The id is
// read on both sides of the start, so the pair belongs to one task.
func (c *currentTask) get() (id uint64, start int64) {
	for {
		id = atomic.LoadUint64(c.word(0))
		start = int64(atomic.LoadUint64(c.word(1)))
		if atomic.LoadUint64(c.word(0)) == id {
			return id, start
		}
	}
}

func (c *currentTask) close() {
	unix.Munmap(c.mem)
	c.file.Close()
}
