package measure

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCgroupAgainstPSS holds the sampler's headline memory figure, PSS,
// against the kernel's memory cgroup around the same process.
//
// Tolerance: 10% of the cgroup's peak. Both count the child's anonymous
// memory page for page (200 MiB of it here). They differ by what the other
// leaves out: the cgroup is also charged the child's kernel memory (page
// tables, about 0.2% of what it maps, thread stacks), page cache the child
// was first to read, and up to 64 pages per CPU it reserves ahead of use;
// PSS also holds the child's share of the test binary's text, which the
// cgroup charged to whoever read it first. For this child these are a few
// MiB each way.
func TestCgroupAgainstPSS(t *testing.T) {
	cg, err := NewCgroup()
	if errors.Is(err, ErrNoCgroup) {
		t.Skipf("no memory cgroup on this machine: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	c := startChildWith(t, cg.Start, "alloc")
	t.Cleanup(func() {
		if err := cg.Close(); err != nil {
			t.Error(err)
		}
	})
	c.expect("base")
	s, err := Start(c.pid(), 0)
	if err != nil {
		t.Fatal(err)
	}
	c.send("go")
	c.expect("ready")
	rep := s.Stop()
	c.finish()
	peak, err := cg.PeakBytes()
	if err != nil {
		t.Fatal(err)
	}
	const mib = 1 << 20
	t.Logf("cgroup v%d peak %.1f MiB; sampler: PSS %.1f MiB, RSS %.1f MiB",
		cg.Version(), float64(peak)/mib, float64(rep.PeakPSSBytes)/mib, float64(rep.PeakRSSBytes)/mib)
	if peak < allocBytes {
		t.Fatalf("cgroup peak %d bytes: less than the %d the child touched; was it started outside?", peak, allocBytes)
	}
	if rel := math.Abs(float64(rep.PeakPSSBytes)-float64(peak)) / float64(peak); rel > 0.10 {
		t.Errorf("peak PSS %d bytes, cgroup peak %d bytes: off by %.0f%%", rep.PeakPSSBytes, peak, rel*100)
	}
}

// TestCgroupStartError: a command that cannot start leaves no thread behind
// in the group, so that the group can be removed.
func TestCgroupStartError(t *testing.T) {
	cg, err := NewCgroup()
	if errors.Is(err, ErrNoCgroup) {
		t.Skipf("no memory cgroup on this machine: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := cg.Start(exec.Command("/nonexistent/poolbench-test")); err == nil {
		t.Error("started a command that does not exist")
	}
	if err := cg.Close(); err != nil {
		t.Errorf("close after a failed start: %v", err)
	}
}

// TestCgroupRemovesStale: a group left by a poolbench process that is gone
// is removed by the next NewCgroup; one of a live process is kept.
func TestCgroupRemovesStale(t *testing.T) {
	cg, err := NewCgroup()
	if errors.Is(err, ErrNoCgroup) {
		t.Skipf("no memory cgroup on this machine: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Dir(cg.dir)
	if err := cg.Close(); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "exit")
	dead := c.pid()
	c.finish()
	stale := filepath.Join(base, fmt.Sprintf("%s%d-1", cgroupPrefix, dead))
	live := filepath.Join(base, fmt.Sprintf("%s%d-1", cgroupPrefix, 1)) // pid 1 is always there
	for _, dir := range []string{stale, live} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Remove(stale); os.Remove(live) })
	cg, err = NewCgroup()
	if err != nil {
		t.Fatal(err)
	}
	if err := cg.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("group of gone pid %d left: %v", dead, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("group of live pid 1 removed: %v", err)
	}
}

// TestCgroupCloseKillsLeftovers: what a process tree leaves running in its
// group after its root exited (a command that backgrounds a child) is
// killed by Close, which then removes the group at once rather than
// failing after waiting for it.
func TestCgroupCloseKillsLeftovers(t *testing.T) {
	cg, err := NewCgroup()
	if errors.Is(err, ErrNoCgroup) {
		t.Skipf("no memory cgroup on this machine: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", "sleep 60 </dev/null >/dev/null 2>&1 & echo $!")
	var out strings.Builder
	cmd.Stdout = &out
	if err := cg.Start(cmd); err != nil {
		cg.Close()
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		cg.Close()
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out.String()))
	if err != nil {
		cg.Close()
		t.Fatalf("background pid %q: %v", out.String(), err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if err := cg.Close(); err != nil {
		t.Fatalf("close with a leftover process: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(b), ") Z ") {
			return // gone, or dead and waiting for init to reap it
		}
		if time.Now().After(deadline) {
			t.Fatalf("the leftover sleep %d still runs after Close", pid)
		}
	}
}
