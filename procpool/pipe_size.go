package procpool

import (
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// pipeDefault is a pipe's capacity until it is grown (Linux: 16 pages).
const pipeDefault = 64 << 10

// pipeGrowTo is the most a pipe is grown to: past it, a bigger pipe buys
// little, while every grown pipe counts against the user's pipe quota
// (fs/pipe-user-pages-soft), past which the kernel gives new pipes only
// two pages.
const pipeGrowTo = 1 << 20

// pipeMax is the capacity a pipe carrying large frames is grown to: up to
// pipeGrowTo, within what the system lets an unprivileged process ask for.
var pipeMax = sync.OnceValue(func() int {
	b, err := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return min(n, pipeGrowTo)
})

// growPipe grows the pipe f is an end of to pipeMax, so that a frame of a
// megabyte goes through in one write and one wake-up rather than sixteen.
// Only pipes that carry large frames are grown, the first time they do.
// It is best effort: a pipe that cannot grow (the user's quota is spent)
// works as it is, a little slower.
func growPipe(f *os.File) {
	size := pipeMax()
	if size <= pipeDefault {
		return
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size)
	})
}
