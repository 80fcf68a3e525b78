package procsync

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// replace removes the file at path, or renames a fresh file over it.
func replace(t *testing.T, path string, byRename bool) {
	t.Helper()
	if !byRename {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		return
	}
	fresh := path + ".new"
	if err := os.WriteFile(fresh, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(fresh, path); err != nil {
		t.Fatal(err)
	}
}

// A Lock opened before its file was removed or replaced must not take the
// old file's lock while a Lock on the file now at the path holds that one:
// the two would both "hold". It opens the path again and finds it held.
func TestLockFileReplaced(t *testing.T) {
	for _, tc := range []struct {
		name     string
		byRename bool
	}{{"removed", false}, {"renamed over", true}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.lock")
			old := newLock(t, path)
			replace(t, path, tc.byRename)
			cur := newLock(t, path)
			if ok, err := cur.TryAcquire(); !ok || err != nil {
				t.Fatalf("lock on the new file: %v, %v", ok, err)
			}
			if ok, err := old.TryAcquire(); ok || err != nil {
				t.Fatalf("the stale Lock acquired beside the holder of the new file: %v, %v", ok, err)
			}
			if err := cur.Release(); err != nil {
				t.Fatal(err)
			}
			// Having moved to the new file, the old value works as usual.
			if err := old.Acquire(context.Background()); err != nil {
				t.Fatal(err)
			}
			if ok, err := cur.TryAcquire(); ok || err != nil {
				t.Fatalf("both hold the new file: %v, %v", ok, err)
			}
			if err := old.Release(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A waiter queued on a file that is replaced meanwhile is granted the old
// file's lock when its holder lets go, sees that the file is no longer the
// one at the path, and queues on the new one, held by another: it waits for
// that holder instead of entering beside it.
func TestLockFileReplacedWhileWaiting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	first, waiter := newLock(t, path), newLock(t, path)
	ctx := context.Background()
	if err := first.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- waiter.Acquire(ctx) }()
	oldProbe, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer oldProbe.Close()
	waitQueued(t, oldProbe, waited)

	replace(t, path, true)
	second := newLock(t, path)
	if ok, err := second.TryAcquire(); !ok || err != nil {
		t.Fatalf("lock on the new file: %v, %v", ok, err)
	}
	newProbe, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer newProbe.Close()
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	// The waiter moves to the new file and queues there behind second.
	waitQueued(t, newProbe, waited)
	if err := second.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if ok, err := second.TryAcquire(); ok || err != nil {
		t.Fatalf("second acquired beside the waiter: %v, %v", ok, err)
	}
	if err := waiter.Release(); err != nil {
		t.Fatal(err)
	}
}

// waitQueued returns once a waiter holds the turnstile of probe's file. If
// the waiter's Acquire returns first, it entered without waiting: the test
// fails. So it does if nothing happens for a minute, rather than hang.
func waitQueued(t *testing.T, probe *os.File, waited <-chan error) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; {
		if time.Now().After(deadline) {
			t.Fatal("the waiter neither queued nor entered within a minute")
		}
		select {
		case err := <-waited:
			t.Fatalf("the waiter entered while the lock was held (Acquire = %v)", err)
		default:
		}
		busy, err := turnstileBusy(int(probe.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		if busy {
			return
		}
		yield()
	}
}

// The same for a Semaphore whose folder is removed and made again.
func TestSemaphoreFolderReplaced(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sem")
	old, err := NewSemaphore(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	cur, err := NewSemaphore(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if ok, err := cur.TryAcquire(); !ok || err != nil {
		t.Fatalf("slot of the new folder: %v, %v", ok, err)
	}
	if ok, err := old.TryAcquire(); ok || err != nil {
		t.Fatalf("the stale Semaphore took a slot beside the new folder's holder: %v, %v", ok, err)
	}
	if err := cur.Release(); err != nil {
		t.Fatal(err)
	}
	if ok, err := old.TryAcquire(); !ok || err != nil {
		t.Fatalf("the stale Semaphore, moved to the new folder: %v, %v", ok, err)
	}
	if ok, err := cur.TryAcquire(); ok || err != nil {
		t.Fatalf("two holders of a 1-slot semaphore: %v, %v", ok, err)
	}
}

// Other users can open a semaphore: its slots record and slot files are
// readable by all (the umask permitting), and read access is all it needs.
func TestSemaphoreShareable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sem")
	s, err := NewSemaphore(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(filepath.Join(dir, "slots"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("slots record mode %v, want -rw-r--r--", fi.Mode().Perm())
	}
	// Slot files with no write permission, as another user sees them.
	for _, name := range []string{"slot-0", "slot-1"} {
		if err := os.Chmod(filepath.Join(dir, name), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	other, err := NewSemaphore(dir, 2)
	if err != nil {
		t.Fatalf("semaphore with read-only slot files: %v", err)
	}
	defer other.Close()
	if ok, err := other.TryAcquire(); !ok || err != nil {
		t.Fatalf("TryAcquire through read-only slot files: %v, %v", ok, err)
	}
}
