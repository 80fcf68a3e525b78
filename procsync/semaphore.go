package procsync

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Semaphore admits at most n holders at once across processes, like Python's
// multiprocessing.BoundedSemaphore. It is n lock files, slot-0 to
// slot-(n-1), in one folder: a holder is whoever holds the flock on one of
// them, so a holder that dies frees its slot.
//
// A Semaphore is safe for concurrent use by goroutines; each successful
// Acquire, from any goroutine, takes one slot.
type Semaphore struct {
	dir  string
	done chan struct{} // closed by Close, to wake waiters

	mu     sync.Mutex // guards the fields below
	files  []*os.File
	ids    []fileID // ids[i]: the identity of files[i]
	held   []bool   // held[i]: this value holds slot i
	nheld  int
	next   int // slot where the next scan starts
	closed bool
}

// NewSemaphore opens a semaphore of n slots in dir, creating the folder and
// its slot files as needed. Every process must use the same n for a folder;
// the first to create it records n in dir/slots, and a later NewSemaphore
// with another n fails with ErrSlotsMismatch.
//
// Permissions: the folder is made 0755 and the slot files 0644 (less the
// umask), the slots record 0644; slot files are opened read-only, which is
// all flock needs. So any user who can read the folder's files can share a
// semaphore that one user made, and only users who can write the folder can
// make one. For a group of users, make the folder beforehand with the group
// and mode they need.
func NewSemaphore(dir string, n int) (*Semaphore, error) {
	if dir == "" {
		return nil, fmt.Errorf("procsync: new semaphore: empty folder")
	}
	if n < 1 {
		return nil, fmt.Errorf("procsync: new semaphore %s: %d slots, need at least 1", dir, n)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("procsync: new semaphore: %w", err)
	}
	if err := checkSlots(dir, n); err != nil {
		return nil, err
	}
	s := &Semaphore{
		dir:   dir,
		done:  make(chan struct{}),
		files: make([]*os.File, n),
		ids:   make([]fileID, n),
		held:  make([]bool, n),
		// Processes start their scans at different slots, so that they do
		// not all contend for slot-0 first.
		next: os.Getpid() % n,
	}
	for i := range n {
		if err := s.openSlot(i); err != nil {
			for _, g := range s.files[:i] {
				g.Close()
			}
			return nil, err
		}
	}
	return s, nil
}

// openSlot opens slot file i, creating it if needed. Read-only is enough for
// flock, so any user who may read the folder's files can share the
// semaphore; see NewSemaphore.
func (s *Semaphore) openSlot(i int) error {
	path := filepath.Join(s.dir, "slot-"+strconv.Itoa(i))
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("procsync: open semaphore slot %s: %w", path, err)
	}
	id, err := fdID(int(f.Fd()))
	if err != nil {
		f.Close()
		return fmt.Errorf("procsync: open semaphore slot %s: %w", path, err)
	}
	s.files[i], s.ids[i] = f, id
	return nil
}

// confirmSlot is called with slot i's flock just granted. It reports whether
// the slot file is still the one at its path; if not, it lets the flock go
// and opens the path again (see Lock's confirm).
func (s *Semaphore) confirmSlot(i int) (bool, error) {
	path := filepath.Join(s.dir, "slot-"+strconv.Itoa(i))
	id, ok, err := pathID(path)
	if err != nil {
		unflock(int(s.files[i].Fd()))
		return false, fmt.Errorf("procsync: acquire %s: %w", path, err)
	}
	if ok && id == s.ids[i] {
		return true, nil
	}
	uerr := unflock(int(s.files[i].Fd()))
	cerr := s.files[i].Close()
	if err := errors.Join(uerr, cerr); err != nil {
		return false, fmt.Errorf("procsync: acquire %s: drop a replaced slot file: %w", path, err)
	}
	return false, s.openSlot(i)
}

// checkSlots records n in dir/slots, or checks it against the n recorded
// there. The record is written to a temporary file and linked into place, so
// that a concurrent reader never sees it half written.
func checkSlots(dir string, n int) error {
	meta := filepath.Join(dir, "slots")
	want := strconv.Itoa(n)
	data, err := os.ReadFile(meta)
	if errors.Is(err, fs.ErrNotExist) {
		tmp, terr := os.CreateTemp(dir, ".slots-*")
		if terr != nil {
			return fmt.Errorf("procsync: new semaphore %s: %w", dir, terr)
		}
		_, werr := tmp.WriteString(want + "\n")
		// CreateTemp makes the file 0600: readable by all instead, so
		// that other users can open the semaphore too.
		perr := tmp.Chmod(0o644)
		cerr := tmp.Close()
		if werr == nil && perr == nil && cerr == nil {
			err = os.Link(tmp.Name(), meta)
		} else {
			err = errors.Join(werr, perr, cerr)
		}
		os.Remove(tmp.Name())
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("procsync: new semaphore %s: %w", dir, err)
		}
		data, err = os.ReadFile(meta) // another process won the race
	}
	if err != nil {
		return fmt.Errorf("procsync: new semaphore %s: %w", dir, err)
	}
	if got := strings.TrimSpace(string(data)); got != want {
		return fmt.Errorf("procsync: new semaphore %s: %q slots recorded, %d asked: %w", dir, got, n, ErrSlotsMismatch)
	}
	return nil
}

// Slots returns n, the number of holders admitted at once.
func (s *Semaphore) Slots() int { return len(s.held) }

// Acquire blocks until it holds a slot or ctx ends. On cancellation it
// returns ctx.Err() promptly and holds no slot.
func (s *Semaphore) Acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return wait(ctx, s.done, s.errClosed("acquire"), s.TryAcquire)
}

// TryAcquire takes a free slot if there is one and reports whether it did.
// It never blocks.
func (s *Semaphore) TryAcquire() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, s.errClosed("try acquire")
	}
	n := len(s.files)
	for k := range n {
		i := (s.next + k) % n
		if s.held[i] {
			// flock on a description that already holds the lock
			// succeeds again: skip our own slots.
			continue
		}
		ok, err := tryFlock(int(s.files[i].Fd()))
		if err != nil {
			return false, fmt.Errorf("procsync: acquire %s slot %d: %w", s.dir, i, err)
		}
		if ok {
			// A slot file removed or replaced while we held it open
			// is reopened and tried once more.
			if ok, err = s.confirmSlot(i); err != nil {
				return false, err
			}
			if !ok {
				if ok, err = tryFlock(int(s.files[i].Fd())); err != nil {
					return false, fmt.Errorf("procsync: acquire %s slot %d: %w", s.dir, i, err)
				}
				if ok {
					if ok, err = s.confirmSlot(i); err != nil {
						return false, err
					}
				}
			}
		}
		if ok {
			s.held[i] = true
			s.nheld++
			s.next = (i + 1) % n
			return true, nil
		}
	}
	return false, nil
}

// Release frees one slot held through this value. With none held it returns
// ErrNotHeld: the semaphore is bounded, as the slot files make it.
func (s *Semaphore) Release() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.errClosed("release")
	}
	if s.nheld == 0 {
		return fmt.Errorf("procsync: release %s: %w", s.dir, ErrNotHeld)
	}
	for i, h := range s.held {
		if !h {
			continue
		}
		if err := unflock(int(s.files[i].Fd())); err != nil {
			return fmt.Errorf("procsync: release %s slot %d: %w", s.dir, i, err)
		}
		s.held[i] = false
		s.nheld--
		return nil
	}
	// Unreachable while nheld counts the true entries of held.
	return fmt.Errorf("procsync: release %s: slot count out of step: %w", s.dir, ErrNotHeld)
}

// Close frees the slots held through this value and closes the slot files.
// Waiting Acquire calls return ErrClosed. Close is idempotent; the files stay
// on disk for the other processes.
func (s *Semaphore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	var errs []error
	for i, f := range s.files {
		s.held[i] = false
		if err := f.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	s.nheld = 0
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("procsync: close semaphore %s: %w", s.dir, err)
	}
	return nil
}

func (s *Semaphore) errClosed(op string) error {
	return fmt.Errorf("procsync: %s %s: %w", op, s.dir, ErrClosed)
}
