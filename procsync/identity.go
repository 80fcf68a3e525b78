package procsync

import (
	"errors"
	"io/fs"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// fileID is a file's identity: its device and inode numbers.
type fileID struct{ dev, ino uint64 }

// fdID returns the identity of the file open on fd.
func fdID(fd int) (fileID, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fileID{}, err
	}
	return fileID{uint64(st.Dev), st.Ino}, nil
}

// pathID returns the identity of the file at path; ok is false when there
// is none.
func pathID(path string) (id fileID, ok bool, err error) {
	var st unix.Stat_t
	for {
		err = unix.Stat(path, &st)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fileID{}, false, nil
	}
	if err != nil {
		return fileID{}, false, err
	}
	return fileID{uint64(st.Dev), st.Ino}, true, nil
}

// A flock on a file that has since been removed or replaced at its path
// excludes no one who opens the path now. So after each flock is granted,
// the lock checks that its file is still the one at the path, and if not,
// lets it go, opens the path again and starts over: a waiter that opened
// the old file never holds it alongside a holder of the new one.
//
// What the check cannot do is stop a process that opens the new file from
// taking its lock while a holder of the old one still holds that: flock
// ties a lock to a file, not to a name. Lock files must not be removed or
// replaced while in use.

// syncs gives each lock file one counter per process, for the race
// detector: Release adds to it and Acquire loads it, an edge it sees between
// two Lock values of this process on one file, which the flock between them
// would hide from it.
var syncs sync.Map // fileID -> *atomic.Uint64

func syncPoint(id fileID) *atomic.Uint64 {
	if v, ok := syncs.Load(id); ok {
		return v.(*atomic.Uint64)
	}
	v, _ := syncs.LoadOrStore(id, new(atomic.Uint64))
	return v.(*atomic.Uint64)
}
