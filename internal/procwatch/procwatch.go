// Package procwatch tells, from /proc, which executables a command's
// grandchildren ran: for tests of which binary a poolbench run's pool
// workers are (the run's children are its trials, theirs the workers).
package procwatch

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// GrandchildExes waits for cmd, already started, to exit, reading its
// grandchildren's executables from /proc meanwhile, and returns the set
// of executables they ran, with cmd.Wait's error. A grandchild read
// between its fork and its exec still shows its parent's executable,
// however loaded the machine; only its last read, after the exec, says
// what it runs, so each counts with its last read. A grandchild must
// live for some milliseconds to be seen at all.
func GrandchildExes(cmd *exec.Cmd) (map[string]bool, error) {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	last := map[int]string{}
	for {
		select {
		case err := <-done:
			exes := map[string]bool{}
			for _, exe := range last {
				exes[exe] = true
			}
			return exes, err
		default:
		}
		for _, pid := range Grandchildren(cmd.Process.Pid) {
			if exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil {
				last[pid] = exe
			}
		}
		time.Sleep(2 * time.Millisecond) // the pace of the reads, not a wait for anything
	}
}

// Grandchildren are the processes whose parent's parent is pid, from /proc.
func Grandchildren(pid int) []int {
	parent := map[int]int{}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		p, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold blanks and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if f := strings.Fields(string(stat[i+1:])); i > 0 && len(f) > 1 {
			parent[p], _ = strconv.Atoi(f[1])
		}
	}
	var out []int
	for p, pp := range parent {
		if parent[pp] == pid {
			out = append(out, p)
		}
	}
	return out
}
