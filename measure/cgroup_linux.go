package measure

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Cgroup is a memory cgroup made for one process tree, so that the kernel's
// own account of the tree's memory can be read: the peak of everything it
// charged to the group (anonymous memory, page tables and other kernel
// memory, and page cache the tree was first to read). It is the independent
// check on the sampler's sums, which see only what /proc shows per process.
//
// On cgroup v2 the group is made under the nearest cgroup (the caller's own
// or an ancestor) that delegates the memory controller to its children, and
// the process is started straight into it (clone3 with CLONE_INTO_CGROUP).
// On v1 it is made under the caller's own memory cgroup; a v1 group can hold
// single threads, so the thread that starts the process joins the group for
// the fork and leaves it at once: the child is born inside, and nothing it
// does is charged elsewhere.
type Cgroup struct {
	dir    string
	v2     bool
	dirFD  int    // v2: the open group, for CLONE_INTO_CGROUP
	parent string // v1: the group the starting thread returns to
}

var cgroupSeq atomic.Int64

// NewCgroup makes a memory cgroup named after this process and a counter.
// The error, wrapping ErrNoCgroup, says why none can be made here.
func NewCgroup() (*Cgroup, error) {
	name := fmt.Sprintf("%s%d-%d", cgroupPrefix, os.Getpid(), cgroupSeq.Add(1))
	if base, err := v2MemoryBase(); err == nil {
		removeStale(base)
		dir := filepath.Join(base, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoCgroup, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "memory.peak")); err != nil {
			os.Remove(dir)
			return nil, fmt.Errorf("%w: cgroup v2 without memory.peak (Linux 5.19 or later has it)", ErrNoCgroup)
		}
		fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			os.Remove(dir)
			return nil, fmt.Errorf("%w: %v", ErrNoCgroup, err)
		}
		return &Cgroup{dir: dir, v2: true, dirFD: fd}, nil
	} else if base, err1 := v1MemoryBase(); err1 == nil {
		removeStale(base)
		dir := filepath.Join(base, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoCgroup, err)
		}
		return &Cgroup{dir: dir, dirFD: -1, parent: base}, nil
	} else {
		return nil, fmt.Errorf("%w: %v; %v", ErrNoCgroup, err, err1)
	}
}

// cgroupPrefix starts the name of every group NewCgroup makes, followed by
// the maker's pid.
const cgroupPrefix = "poolbench-"

// removeStale removes the groups a poolbench process that no longer exists
// left in base (killed before it could remove them). A group still holding
// processes cannot be removed, and is left.
func removeStale(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), cgroupPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.Remove(filepath.Join(base, e.Name()))
		}
	}
}

// Version is 1 or 2, the cgroup version of the group.
func (c *Cgroup) Version() int {
	if c.v2 {
		return 2
	}
	return 1
}

// Start starts cmd inside the group. cmd.SysProcAttr is kept (and made if
// nil).
func (c *Cgroup) Start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if c.v2 {
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = c.dirFD
		return cmd.Start()
	}
	// A goroutine of its own, locked to its thread: if the thread cannot
	// leave the group again, the goroutine ends locked and the runtime
	// ends the thread with it, rather than let it run other goroutines
	// inside the group.
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		tid := []byte(strconv.Itoa(syscall.Gettid()))
		if err := os.WriteFile(filepath.Join(c.dir, "tasks"), tid, 0); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("measure: join cgroup %s: %w", c.dir, err)
			return
		}
		err := cmd.Start()
		if err := os.WriteFile(filepath.Join(c.parent, "tasks"), tid, 0); err != nil {
			if cmd.Process != nil {
				// Its parent thread ends with this goroutine, and
				// Pdeathsig (if set) with it: reap it here.
				cmd.Process.Kill()
				cmd.Wait()
			}
			errc <- fmt.Errorf("measure: leave cgroup %s: %w", c.dir, err)
			return // locked: the thread ends
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}

// PeakBytes is the most memory the group has been charged at once:
// memory.peak on v2, memory.max_usage_in_bytes on v1.
func (c *Cgroup) PeakBytes() (uint64, error) {
	file := "memory.max_usage_in_bytes"
	if c.v2 {
		file = "memory.peak"
	}
	b, err := os.ReadFile(filepath.Join(c.dir, file))
	if err != nil {
		return 0, fmt.Errorf("measure: cgroup peak: %w", err)
	}
	v, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("measure: cgroup peak %q: %w", b, err)
	}
	return v, nil
}

// Close kills what is left in the group (the processes a trial left
// behind, orphans that would run on through later trials), then removes
// it once they are gone, waiting up to a few seconds for them to exit.
func (c *Cgroup) Close() error {
	if c.dirFD >= 0 {
		syscall.Close(c.dirFD)
		c.dirFD = -1
	}
	c.killAll()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := os.Remove(c.dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
			return fmt.Errorf("measure: remove cgroup: %w", err)
		}
		time.Sleep(10 * time.Millisecond) // polling for the last processes to leave
	}
}

// killAll sends SIGKILL to every process in the group: through cgroup.kill
// on v2 (Linux 5.14 on), which also catches those forking meanwhile, and to
// each pid cgroup.procs lists otherwise.
func (c *Cgroup) killAll() {
	if c.v2 && os.WriteFile(filepath.Join(c.dir, "cgroup.kill"), []byte("1"), 0) == nil {
		return
	}
	b, err := os.ReadFile(filepath.Join(c.dir, "cgroup.procs"))
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(b)) {
		// Never this process: on v1 a thread of it is in the group while
		// it starts a child there.
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 && pid != os.Getpid() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// v2MemoryBase is the nearest cgroup v2 group, from this process's own up,
// whose children get the memory controller.
func v2MemoryBase() (string, error) {
	mnt, root, err := cgroupMount(func(fstype, opts string) bool { return fstype == "cgroup2" })
	if err != nil {
		return "", err
	}
	own, err := ownCgroup(func(controllers string) bool { return controllers == "" })
	if err != nil {
		return "", err
	}
	dir := filepath.Join(mnt, strings.TrimPrefix(own, root))
	for {
		b, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
		if err == nil && slices.Contains(strings.Fields(string(b)), "memory") {
			return dir, nil
		}
		if dir == mnt || !strings.HasPrefix(dir, mnt) {
			return "", errors.New("cgroup v2: no group above this process delegates the memory controller")
		}
		dir = filepath.Dir(dir)
	}
}

// v1MemoryBase is this process's own group in a v1 memory hierarchy.
func v1MemoryBase() (string, error) {
	isMemory := func(opts string) bool { return slices.Contains(strings.Split(opts, ","), "memory") }
	mnt, root, err := cgroupMount(func(fstype, opts string) bool { return fstype == "cgroup" && isMemory(opts) })
	if err != nil {
		return "", err
	}
	own, err := ownCgroup(func(controllers string) bool { return slices.Contains(strings.Split(controllers, ","), "memory") })
	if err != nil {
		return "", err
	}
	dir := filepath.Join(mnt, strings.TrimPrefix(own, root))
	if _, err := os.Stat(filepath.Join(dir, "memory.max_usage_in_bytes")); err != nil {
		return "", fmt.Errorf("cgroup v1 memory: %w", err)
	}
	return dir, nil
}

// cgroupMount finds a cgroup mount in /proc/self/mountinfo: its mount point
// and the root of the hierarchy it shows.
func cgroupMount(match func(fstype, superOpts string) bool) (mnt, root string, err error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent maj:min root mountpoint opts [optional...] - fstype source superopts
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		a, b := strings.Fields(pre), strings.Fields(post)
		if len(a) < 5 || len(b) < 3 {
			continue
		}
		if match(b[0], b[2]) {
			return a[4], a[3], nil
		}
	}
	return "", "", errors.New("no such cgroup mount")
}

// ownCgroup is this process's path in the hierarchy whose controller list in
// /proc/self/cgroup matches ("" for v2).
func ownCgroup(match func(controllers string) bool) (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(b)) {
		f := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(f) == 3 && match(f[1]) && (f[1] != "" || f[0] == "0") {
			return f[2], nil
		}
	}
	return "", errors.New("not in such a cgroup")
}
