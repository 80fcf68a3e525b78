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
// What such a process writes later is read and dropped until it closes the
// pipe, so that it neither blocks on a full pipe nor dies of SIGPIPE.
func runKeepingStderr(cmd *exec.Cmd, tail *stderrTail) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stderr = w // a file: passed to the command as it is, nothing copied
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return err
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		readInto(r, tail.Write)
	}()
	err = cmd.Wait()
	// What the command wrote is in the pipe, or already in tail. Stop the
	// copy where it stands, and take the rest without waiting for an end
	// a background process may hold back.
	r.SetReadDeadline(time.Now())
	<-copied
	r.SetReadDeadline(time.Time{})
	if drain(r, tail) {
		r.Close()
	} else {
		go func() {
			readInto(r, func([]byte) (int, error) { return 0, nil })
			r.Close()
		}()
	}
	return err
}

// readInto reads r into write until r ends or fails.
func readInto(r *os.File, write func([]byte) (int, error)) {
	buf := make([]byte, 4<<10)
	for {
		n, err := r.Read(buf)
		write(buf[:n])
		if err != nil {
			return
		}
	}
}

// drainMax bounds what drain reads: the tail keeps only its last 4 KiB,
// and a background process writing without pause must not keep the task.
const drainMax = 64 << 10

// drain reads what r holds now into tail, without waiting for more, and
// reports whether r has ended (every writer has closed it).
func drain(r *os.File, tail *stderrTail) (ended bool) {
	rc, err := r.SyscallConn()
	if err != nil {
		return false
	}
	buf := make([]byte, 4<<10)
	rc.Read(func(fd uintptr) bool {
		for total := 0; total < drainMax; {
			n, err := syscall.Read(int(fd), buf)
			switch {
			case errors.Is(err, syscall.EINTR):
				continue
			case n > 0:
				tail.Write(buf[:n])
				total += n
				continue
			}
			ended = n == 0 && err == nil // EOF; EAGAIN: a writer is still there
			return true
		}
		return true
	})
	return ended
}
