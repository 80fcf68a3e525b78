package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/poolbench/poolbench/harness"
	"golang.org/x/sys/unix"
)

// defaultOutRoot holds one timestamped folder per run; it is gitignored.
const defaultOutRoot = "poolbench-results"

// lockName is the lock file a run holds in its folder while it runs: it
// holds the pid of the run, for the error a second run gets.
const lockName = ".poolbench.lock"

// runFiles are the files a run leaves in its folder; --force removes them
// (and the PNG charts) before a new run starts there.
var runFiles = []string{"results.json", harness.JournalName, "report.html", "logs"}

// runFolder is an output folder held by this process: locked against a
// second poolbench, cleared of what dead runs left, journaling trials.
type runFolder struct {
	dir     string
	lock    *os.File
	journal *harness.Journal
	// saving guards the step from journal to results.json: save holds it
	// while it writes the results and drops the journal, and a second
	// signal (stopNote) takes it for good, so that what it says as
	// poolbench exits stays true.
	saving sync.Mutex
	// journaling: the journal holds trials no results.json holds yet;
	// savedTo: where the results were saved, if they were.
	journaling atomic.Bool
	savedTo    string
	// made lists the folders this run made on the way to dir, outermost
	// first: it takes them away again if it leaves them empty (a run
	// interrupted before it measured anything).
	made []string
}

// claimFolder returns the folder a run writes to, created, writable and
// locked before any measuring starts: a run that cannot save its results
// fails in a second, not after ten minutes, and two runs never share one.
// A folder holding an earlier run is refused unless force, which removes
// that run's files.
func claimFolder(out, command string, force bool) (*runFolder, error) {
	dir, made, err := makeFolder(out, command)
	if err != nil {
		return nil, err
	}
	f, err := lockFolder(dir)
	if err != nil {
		removeMade(made)
		return nil, err
	}
	f.made = made
	if err := f.checkEarlierRun(force); err != nil {
		f.release()
		return nil, err
	}
	return f, nil
}

// makeFolder creates out, or a new folder under defaultOutRoot when out is
// empty, and checks that it is writable; made lists the folders it created,
// outermost first, which removeMade takes away again.
func makeFolder(out, command string) (dir string, made []string, err error) {
	if out == "" {
		if err := os.MkdirAll(defaultOutRoot, 0o755); err != nil {
			return "", nil, usagef("%s: %v", defaultOutRoot, unwrapPath(err))
		}
		stamp := time.Now().Format("20060102-150405")
		out = filepath.Join(defaultOutRoot, command+"-"+stamp)
		// Mkdir, not MkdirAll: two runs started in the same second each
		// get a folder of their own.
		for i := 2; ; i++ {
			err := os.Mkdir(out, 0o755)
			if err == nil {
				break
			}
			if !errors.Is(err, fs.ErrExist) {
				return "", nil, usagef("--out %s: %v", out, unwrapPath(err))
			}
			out = filepath.Join(defaultOutRoot, fmt.Sprintf("%s-%s-%d", command, stamp, i))
		}
		made = []string{out}
	} else {
		if made, err = makeDirs(out); err != nil {
			removeMade(made)
			return "", nil, usagef("--out %s: %v", out, unwrapPath(err))
		}
	}
	probe, err := os.CreateTemp(out, ".write-test-*")
	if err != nil {
		removeMade(made)
		return "", nil, usagef("--out %s is not writable: %v", out, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return out, made, nil
}

// makeDirs makes dir and the parents it lacks with os.MkdirAll, and
// returns those it made, outermost first, also when it fails part-way.
// Parents are found as MkdirAll finds them, by cutting the path's last
// element as text: cleaning it first would take "link/../new" for "new",
// where the kernel follows the link before the "..".
func makeDirs(dir string) (made []string, err error) {
	var missing []string // innermost first
	for p := dir; ; {
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
		parent := strings.TrimRight(p, string(filepath.Separator))
		i := strings.LastIndexByte(parent, filepath.Separator)
		if i <= 0 {
			break
		}
		p = parent[:i]
	}
	err = os.MkdirAll(dir, 0o755)
	for i := len(missing) - 1; i >= 0; i-- {
		if fi, serr := os.Stat(missing[i]); serr == nil && fi.IsDir() {
			made = append(made, missing[i])
		}
	}
	return made, err
}

// removeMade removes the folders makeFolder made, innermost first, as far
// as they are empty: a run that leaves nothing in them takes them away. It
// stops at the first that holds anything, and leaves those above it.
// Rmdir, not Remove: a file or link put in a folder's place is not the
// run's to remove.
func removeMade(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		if syscall.Rmdir(made[i]) != nil {
			return
		}
	}
}

// lockFolder takes dir's lock file, or says which poolbench holds it. The
// lock is an flock, so the kernel drops it when its holder dies, however it
// dies; the file is removed on release, which is why a lock taken on a file
// that was meanwhile removed is taken again.
func lockFolder(dir string) (*runFolder, error) {
	path := filepath.Join(dir, lockName)
	for {
		lock, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, usagef("--out %s: lock: %v", dir, unwrapPath(err))
		}
		if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			holder := readPID(lock)
			lock.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, usagef("--out %s is in use by another poolbench (pid %s); wait for it to finish or choose another folder", dir, holder)
			}
			return nil, usagef("--out %s: lock: %v", dir, err)
		}
		var held, named unix.Stat_t
		if unix.Fstat(int(lock.Fd()), &held) != nil || unix.Stat(path, &named) != nil || held.Ino != named.Ino {
			lock.Close() // its holder removed it as we opened it: take the new one
			continue
		}
		lock.Truncate(0)
		lock.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		f := &runFolder{dir: dir, lock: lock}
		f.removeStale()
		return f, nil
	}
}

func readPID(f *os.File) string {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	if pid := strings.TrimSpace(string(b[:n])); pid != "" {
		return pid
	}
	return "unknown"
}

// removeStale removes what dead runs left in the folder and nobody can
// use: the temporary log folders of `log` and `claims`, temporary files of
// writes cut short, and an empty journal (a run that died, or met a full
// disk, before its header was written: nothing to rebuild). The lock says
// no live run owns them.
func (f *runFolder) removeStale() {
	for _, pattern := range []string{".logs-*", ".*.tmp*", ".write-test-*"} {
		stale, _ := filepath.Glob(filepath.Join(f.dir, pattern))
		for _, p := range stale {
			os.RemoveAll(p)
		}
	}
	journal := filepath.Join(f.dir, harness.JournalName)
	if fi, err := os.Lstat(journal); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		os.Remove(journal)
	}
}

// checkEarlierRun refuses a folder holding another run's results or
// journal, unless force, which removes them.
func (f *runFolder) checkEarlierRun(force bool) error {
	var found []string
	for _, name := range runFiles {
		if exists(filepath.Join(f.dir, name)) {
			found = append(found, name)
		}
	}
	if len(found) == 0 {
		return nil
	}
	if !force {
		if exists(filepath.Join(f.dir, harness.JournalName)) && !exists(filepath.Join(f.dir, "results.json")) {
			return usagef("--out %s holds an unfinished earlier run (%s; `poolbench report %s` rebuilds its results); choose another folder, or --force to replace it",
				f.dir, harness.JournalName, filepath.Join(f.dir, harness.JournalName))
		}
		return usagef("--out %s holds an earlier run (%s); choose another folder, or --force to replace it", f.dir, strings.Join(found, ", "))
	}
	charts, _ := filepath.Glob(filepath.Join(f.dir, "*.png"))
	for _, name := range found {
		charts = append(charts, filepath.Join(f.dir, name))
	}
	for _, p := range charts {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("--force: remove the earlier run's %s: %w", p, unwrapPath(err))
		}
	}
	return nil
}

// startJournal opens the folder's journal, for the trials to be appended
// to as they finish.
func (f *runFolder) startJournal() (*harness.Journal, error) {
	path := filepath.Join(f.dir, harness.JournalName)
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f.journal = harness.NewJournal(file)
	f.journaling.Store(true)
	return f.journal, nil
}

// stopNote says where the run's measurements are, for a second signal,
// which exits at once: in the journal while the results are not saved
// yet, else in the results file; empty when there is neither. It waits
// for a save under way to finish its step and keeps save from taking
// another: it is called only as poolbench exits.
func (f *runFolder) stopNote() string {
	f.saving.Lock() // never unlocked: the process is exiting
	switch {
	case f.journaling.Load():
		path := filepath.Join(f.dir, harness.JournalName)
		return fmt.Sprintf("poolbench: stopped before the results were saved; the trials measured so far are in %s (`poolbench report %s` rebuilds them)", path, path)
	case f.savedTo != "":
		return "poolbench: stopped; the results are saved in " + f.savedTo
	}
	return ""
}

// discardJournal removes the journal of a run that measured nothing.
func (f *runFolder) discardJournal() {
	f.journaling.Store(false)
	if f.journal != nil {
		f.journal.Close()
		f.journal = nil
		os.Remove(filepath.Join(f.dir, harness.JournalName))
	}
}

// release closes the journal and drops the lock, removing its file.
func (f *runFolder) release() {
	if f.journal != nil {
		f.journal.Close()
	}
	os.Remove(filepath.Join(f.dir, lockName))
	f.lock.Close()
	removeMade(f.made) // only what is empty: nothing was saved in it
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	if errno, ok := err.(syscall.Errno); ok {
		return errno
	}
	return err
}
