package workloads

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// runKeepingStderr runs cmd with its standard error kept in tail, and
// returns once the command has exited. A process the command left running
// in the background (`server &`) inherits the standard error and may hold
// it open for as long as it runs: the task is the command, so it does not
// wait for that, as exec.Cmd's own copying of a non-file writer would.
func runKeepingStderr(cmd *exec.Cmd, tail *stderrTail) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd.Stderr = w // a file: passed to the command as it is, nothing copied
	err = cmd.Start()
	w.Close()
	if err != nil {
		return err
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4<<10)
		for {
			n, err := r.Read(buf)
			tail.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	err = cmd.Wait()
	// What the command wrote is in the pipe, or already in tail. Stop the
	// copy where it stands, and take the rest without waiting for an end
	// a background process may hold back.
	r.SetReadDeadline(time.Now())
	<-copied
	r.SetReadDeadline(time.Time{})
	drain(r, tail)
	return err
}

// drain reads what r holds now into w, without waiting for more.
func drain(r *os.File, w *stderrTail) {
	rc, err := r.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 4<<10)
	rc.Read(func(fd uintptr) bool {
		for {
			n, err := syscall.Read(int(fd), buf)
			if n > 0 {
				w.Write(buf[:n])
			}
			if n <= 0 || err != nil {
				// EOF, or EAGAIN with nothing more for now: done either way.
				return err == nil || !errors.Is(err, syscall.EINTR)
			}
		}
	})
}
