package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes poolbench the reaper of every orphan of its tree:
// a pool worker whose trial was killed, a command a task left running. The
// kernel hands them to poolbench instead of PID 1, which in a container may
// never reap them; reapOrphans, on the way out, ends and reaps them.
func becomeSubreaper() {
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// orphanGrace bounds how long reapOrphans waits for killed children to
// die: SIGKILL cannot be caught, so only an uninterruptible sleep in the
// kernel holds one up.
const orphanGrace = 5 * time.Second

// reapOrphans kills every child poolbench still has and reaps it, until it
// has none. It runs when poolbench is done, after every child it started
// has been waited for, so the children left are orphans handed to it.
func reapOrphans() {
	deadline := time.Now().Add(orphanGrace)
	for {
		for _, pid := range childPIDs() {
			unix.Kill(pid, unix.SIGKILL)
		}
		for {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if err == unix.ECHILD {
				return // no child left, alive or zombie
			}
			if err != nil && err != unix.EINTR || pid <= 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// childPIDs lists the processes whose parent is this one.
func childPIDs() []int {
	self := os.Getpid()
	entries, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, e := range entries {
		b, err := os.ReadFile(e)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == self {
			pid, _ := strconv.Atoi(strings.Fields(s)[0])
			out = append(out, pid)
		}
	}
	return out
}
