//go:build linux

package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// adoptOrphans makes the test process a subreaper for the length of the
// test, so that whatever poolbench's tree leaves behind is handed to the
// test, where it can be counted, instead of to PID 1.
func adoptOrphans(t *testing.T) {
	t.Helper()
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Skipf("cannot become a subreaper: %v", err)
	}
	t.Cleanup(func() {
		unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
		reapOrphans()
	})
}

// leftBehind lists the test's children once poolbench has exited: every
// one was part of poolbench's tree, alive or a zombie.
func leftBehind() []string {
	var out []string
	for _, pid := range childPIDs() {
		b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		out = append(out, strings.TrimSpace(string(b)))
	}
	return out
}

// TestNoOrphanOutlivesPoolbench: a task that leaves a process running
// (a command's background child), and an interrupted run whose trial had
// pool workers, leave nothing of poolbench's tree behind, alive or zombie.
func TestNoOrphanOutlivesPoolbench(t *testing.T) {
	t.Run("a task's background process", func(t *testing.T) {
		adoptOrphans(t)
		code, _, stderr := runCLI(t, "run", "--workload", "exec", "--cmd", "sleep 60 >/dev/null 2>&1 &", "--tasks", "3",
			"--strategies", "serial", "--repeat", "1", "--warmup", "0", "--out", filepath.Join(t.TempDir(), "out"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if left := leftBehind(); len(left) > 0 {
			t.Errorf("left behind by poolbench: %q", left)
		}
	})
	t.Run("an interrupted pool", func(t *testing.T) {
		adoptOrphans(t)
		cmd, _, stderr, _ := startBusyRun(t)
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if left := leftBehind(); len(left) > 0 {
			t.Errorf("left behind by poolbench: %q; stderr: %s", left, stderr)
		}
	})
}
