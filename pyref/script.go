package pyref

import (
	_ "embed"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// Script is the Python side, pyref.py.
//
//go:embed pyref.py
var Script []byte

var (
	scriptOnce sync.Once
	scriptFile string
	scriptErr  error
)

// scriptPath is a path to Script that every process started by the
// interpreter can open while this process lives: an in-memory file of this
// process, named through /proc. The spawn and forkserver start methods
// re-run the main script by path in each child, so -c will not do, and a
// file on disk would be left behind by a process killed with SIGKILL.
func scriptPath() (string, error) {
	scriptOnce.Do(func() {
		fd, err := unix.MemfdCreate("poolbench-pyref.py", unix.MFD_CLOEXEC)
		if err != nil {
			scriptErr = fmt.Errorf("pyref: memfd for the script: %w", err)
			return
		}
		f := os.NewFile(uintptr(fd), "poolbench-pyref.py")
		if _, err := f.Write(Script); err != nil {
			f.Close()
			scriptErr = fmt.Errorf("pyref: write the script: %w", err)
			return
		}
		// f stays open for the life of the process: its path is its name.
		scriptFile = fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), fd)
		keep = f
	})
	return scriptFile, scriptErr
}

// keep holds the script's file so that it is never collected and closed.
var keep *os.File
