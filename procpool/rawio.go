package procpool

import (
	"io"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The pool's pipes are non-blocking at both ends, and the reads and writes
// that move tasks and results are raw system calls, which the Go scheduler
// does not see. A write that wakes the process at the other end is where
// the kernel most often switches to that process; when processes outnumber
// CPUs, the writer may not run again for milliseconds. Inside an ordinary
// system call, the runtime counts all that time as the call's: its monitor
// thread takes the thread's P away and goes back to polling every 20 µs,
// and each of those wake-ups is one more context switch on a CPU the
// workers need. A call on a non-blocking descriptor cannot block, so
// nothing is lost by hiding it; where there is nothing to read or no room
// to write, the caller waits in the poller as before.

// rawRead is read(2), unseen by the scheduler: only for a non-blocking fd.
func rawRead(fd uintptr, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if raceBuild {
		n, err := unix.Read(int(fd), b)
		if err != nil {
			return 0, err // unix.Read says -1
		}
		return n, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawWrite is write(2), unseen by the scheduler: only for a non-blocking fd.
func rawWrite(fd uintptr, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawWritev is writev(2) of iov, unseen by the scheduler: only for a
// non-blocking fd.
func rawWritev(fd uintptr, iov []unix.Iovec) (int, error) {
	if len(iov) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawVmsplice is vmsplice(2) with SPLICE_F_NONBLOCK, unseen by the
// scheduler: only for a non-blocking pipe.
func rawVmsplice(fd uintptr, iov []unix.Iovec) (int, error) {
	if len(iov) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall6(unix.SYS_VMSPLICE, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)), unix.SPLICE_F_NONBLOCK, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// readPolled reads what rc's non-blocking descriptor holds, waiting in the
// poller (and so within the descriptor's deadline) while it holds nothing.
// The end of the stream is io.EOF.
func readPolled(rc syscall.RawConn, b []byte) (n int, err error) {
	if len(b) == 0 {
		return 0, nil
	}
	if cerr := rc.Read(func(fd uintptr) bool {
		for {
			n, err = rawRead(fd, b)
			switch err {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait until there is something
			}
			return true
		}
	}); cerr != nil {
		return 0, cerr
	}
	if err == nil && n == 0 {
		return 0, io.EOF
	}
	return n, err
}

// polledReader is an io.Reader over readPolled.
type polledReader struct{ rc syscall.RawConn }

func (r polledReader) Read(b []byte) (int, error) { return readPolled(r.rc, b) }
