package procpool

import (
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// pipeDefault is a pipe's capacity until it is grown (Linux: 16 pages).
const pipeDefault = 64 << 10

// pipeGrowTo is the most a pipe is grown to: past it, a bigger pipe buys
// little.
const pipeGrowTo = 1 << 20

// pipeMax is the capacity a pipe carrying large frames is grown to: up to
// pipeGrowTo, within what the system lets an unprivileged process ask for.
var pipeMax = sync.OnceValue(func() int { return min(readSysctl("pipe-max-size", 0), pipeGrowTo) })

// pipeBudget bounds the bytes this process adds to pipes by growing them:
// every pipe's pages count against the user's pipe quota
// (fs/pipe-user-pages-soft), past which the kernel gives an unprivileged
// user's new pipes two pages each, every program's alike. A quarter of the
// quota keeps large pools well clear of it.
var pipeBudget = sync.OnceValue(func() int64 {
	pages := readSysctl("pipe-user-pages-soft", 0)
	if pages <= 0 {
		return math.MaxInt64 // no soft limit
	}
	return int64(pages) * int64(os.Getpagesize()) / 4
})

var pipeGrownBytes atomic.Int64

func readSysctl(name string, fallback int) int {
	b, err := os.ReadFile("/proc/sys/fs/" + name)
	if err != nil {
		return fallback
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return fallback
	}
	return n
}

// pipeGrowth is one pipe's growth: tried once, the first time a large
// frame crosses it, and given back when the pipe is closed.
type pipeGrowth struct {
	tried bool
	bytes int64
}

// grow grows the pipe f is an end of to pipeMax, so that a frame of a
// megabyte goes through in one write and one wake-up rather than sixteen.
// It is best effort: a pipe that cannot grow (the budget or the user's
// quota is spent) works as it is, a little slower.
func (g *pipeGrowth) grow(f *os.File) {
	if g.tried {
		return
	}
	g.tried = true
	size := pipeMax()
	if size <= pipeDefault {
		return
	}
	extra := int64(size - pipeDefault)
	if pipeGrownBytes.Add(extra) > pipeBudget() {
		pipeGrownBytes.Add(-extra)
		return
	}
	rc, err := f.SyscallConn()
	if err == nil {
		if cerr := rc.Control(func(fd uintptr) { _, err = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size) }); cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		pipeGrownBytes.Add(-extra)
		return
	}
	g.bytes = extra
}

// release gives the growth back to the budget once the pipe is closed.
func (g *pipeGrowth) release() {
	pipeGrownBytes.Add(-g.bytes)
	g.bytes = 0
}
