package procpool

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// currentTask is a page of memory shared between the parent and one worker,
// in which the worker publishes the id of the task it is running, when it
// started it, and the id of the last task it finished. Results travel in
// batches, so when a worker dies the parent cannot tell from the pipe alone
// which task killed it, which finished tasks' results died unsent with it,
// nor, for a task timeout, how long the running task has run; this tells it
// exactly, at the cost of a few memory stores per task instead of a write
// per task.
type currentTask struct {
	file *os.File
	mem  []byte
}

const (
	workerCurrentFD = 5
	currentSize     = 24 // running id, its start, last finished id
)

func newCurrentTask() (*currentTask, error) {
	fd, err := unix.MemfdCreate("procpool-current", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd: %w", err)
	}
	f := os.NewFile(uintptr(fd), "procpool-current")
	if err := f.Truncate(currentSize); err != nil {
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
	mem, err := unix.Mmap(int(f.Fd()), 0, currentSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	return &currentTask{file: f, mem: mem}, nil
}

func (c *currentTask) word(i int) *uint64 { return (*uint64)(unsafe.Pointer(&c.mem[8*i])) }

// begin publishes the running task's id and start (Unix nanoseconds). The
// start is stored first, so a reader that sees an id sees its start or a
// later one.
func (c *currentTask) begin(id uint64, start int64) {
	atomic.StoreUint64(c.word(1), uint64(start))
	atomic.StoreUint64(c.word(0), id)
}

// end publishes that task id has finished: it becomes the last finished
// before the running id goes back to 0, so there is no moment at which the
// task is neither running nor finished.
func (c *currentTask) end(id uint64) {
	atomic.StoreUint64(c.word(2), id)
	atomic.StoreUint64(c.word(0), 0)
}

// lastFinished is the id of the last task the worker finished (0: none).
func (c *currentTask) lastFinished() uint64 { return atomic.LoadUint64(c.word(2)) }

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
