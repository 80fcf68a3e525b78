// Package procsync provides cross-process synchronisation on operating system
// primitives: the Go counterpart of Python's multiprocessing.Lock and
// multiprocessing.Semaphore, for poolbench's worker processes.
//
// Both are built on flock(2) locks on files. The choice over POSIX record
// locks (fcntl F_SETLK) is deliberate:
//
//   - flock locks belong to the open file description, not to the process, so
//     two Lock values in one process on the same path exclude each other, just
//     as two processes do. Classic fcntl locks are per process: a second
//     descriptor in the same process would "acquire" a held lock at once, and
//     closing any descriptor of the file would silently drop the lock.
//     (Linux OFD fcntl locks would also do; flock is simpler and portable
//     across the BSDs.)
//   - The kernel releases a flock lock when the last descriptor of its open
//     file description is closed, which includes the holder dying, even by
//     SIGKILL. A crashed worker cannot wedge the others.
//
// Files are opened with O_CLOEXEC (os.OpenFile's default), so a child process
// never inherits, and so never shares, a parent's lock.
//
// A Lock's waiters sleep in the kernel, in line: the first waiter holds a
// Linux open file description lock (fcntl F_OFD_SETLKW) on byte 0 of the
// lock file, which on Linux is independent of the flock, while it waits for
// the flock; a holder that wants the lock again sees that and queues behind
// it. So a process that releases and re-acquires at once cannot keep the
// lock from the others, and a waiter is woken by the release itself, not by
// polling. A cancelled Acquire returns at once; its wait in the kernel, which
// Go cannot interrupt, lets the lock go as soon as it is granted.
//
// After each flock is granted, the file locked is checked to be the one at
// the path (device and inode): a waiter that opened a lock file since
// removed or replaced opens the path again instead of holding a lock that
// excludes no one. Lock files must still not be removed while in use: flock
// cannot stop a process that opens the new file from locking it while the
// old one is held.
//
// flock locks are advisory and do not work across NFS mounts on every kernel:
// keep lock files on a local file system.
//
// Re-entrant locks (Python's RLock) are left out: Go has no goroutine
// identity on which to hang re-entrancy, and a per-value counter would let any
// goroutine "re-enter" a lock another goroutine holds. Event is left out
// until a caller needs it.
package procsync
