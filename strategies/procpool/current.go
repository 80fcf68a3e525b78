package procpool

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// currentTask is a page of memory shared between the parent and one worker,
// in which the worker publishes the id of the task it is running. Results
// travel in batches, so when a worker dies the parent cannot tell from the
// pipe alone which task killed it; this tells it exactly, at the cost of one
// memory store per task instead of a write per task.
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
	if err := f.Truncate(8); err != nil {
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
	mem, err := unix.Mmap(int(f.Fd()), 0, 8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	return &currentTask{file: f, mem: mem}, nil
}

func (c *currentTask) word() *uint64 { return (*uint64)(unsafe.Pointer(&c.mem[0])) }

// set publishes the running task's id; 0 means between tasks.
func (c *currentTask) set(id uint64) { atomic.StoreUint64(c.word(), id) }

func (c *currentTask) get() uint64 { return atomic.LoadUint64(c.word()) }

func (c *currentTask) close() {
	unix.Munmap(c.mem)
	c.file.Close()
}
