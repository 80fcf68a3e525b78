package pyref

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

var (
	subreaperOnce sync.Once
	subreaperErr  error
)

// becomeSubreaper makes this process the one that inherits the orphans of
// its descendants, so that reapGroup can reap the interpreter's children
// after it is killed: left to init, they would be zombies on a system
// whose init does not reap.
func becomeSubreaper() error {
	subreaperOnce.Do(func() {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			subreaperErr = fmt.Errorf("pyref: become a child subreaper: %w", err)
		}
	})
	return subreaperErr
}

// waitExit waits until process pid has exited, without reaping it.
func waitExit(pid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

// reapGroup reaps every child of this process in process group pgid (the
// interpreter's orphans, once this process is their subreaper) until none
// is left. Their parents have already exited, so each is killed or about
// to exit; children of other groups are left to their owners.
func reapGroup(pgid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PGID, pgid, &info, unix.WEXITED, nil)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return // ECHILD: none left
		}
	}
}
