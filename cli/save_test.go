package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/results"
	"golang.org/x/sys/unix"
)

// smallDisk mounts a tmpfs with these options (its size, its number of
// files) and returns its path, or skips the test saying why one cannot be
// mounted here.
func smallDisk(t *testing.T, options string) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, options); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (%v): needs root or CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// TestFullDiskKeepsResults: on a disk full by the time results.json is
// written, the figures are still printed, results.json goes to the
// temporary folder, and the one-line error names both paths; the journal,
// written before the disk filled, stays in the folder. The disk is full of
// files rather than bytes (room for the folder, its lock and its journal):
// the same ENOSPC, at a moment the test can fix.
func TestFullDiskKeepsResults(t *testing.T) {
	disk := smallDisk(t, "size=4m,nr_inodes=4")
	tmp := t.TempDir()
	dir := filepath.Join(disk, "out")
	cmd := poolbench("run", "--workload", "noop", "--tasks", "50", "--repeat", "3", "--warmup", "0",
		"--strategies", "serial,goroutines,goroutine-pool", "--out", dir, "--format", "json")
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1; stderr: %s", err, stderr.String())
	}
	printed, err := results.Unmarshal(stdout.Bytes())
	if err != nil || len(printed.Results) != 3 {
		t.Fatalf("stdout is not the run: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	m := regexp.MustCompile(`^poolbench: results.json could not be written to (\S+) \(no space left on device\), so it was written to (\S+)$`).FindStringSubmatch(lines[len(lines)-1])
	if m == nil || len(lines) != 1 {
		t.Fatalf("stderr %q: want one line naming both paths", stderr.String())
	}
	if m[1] != filepath.Join(dir, "results.json") || filepath.Dir(m[2]) != tmp {
		t.Errorf("paths %s and %s: want %s and a file in %s", m[1], m[2], filepath.Join(dir, "results.json"), tmp)
	}
	saved, err := results.ReadFile(m[2])
	if err != nil {
		t.Fatal(err)
	}
	if a, b := encode(t, saved), encode(t, printed); a != b {
		t.Error("the fallback results.json differs from what was printed")
	}
	if exists(filepath.Join(dir, "results.json")) {
		t.Error("a results.json is in the full folder")
	}
	// The journal was written as the trials finished, before the disk
	// filled: it rebuilds the same results.
	f, err := os.Open(filepath.Join(dir, harness.JournalName))
	if err != nil {
		t.Fatalf("journal: %v", err)
	}
	defer f.Close()
	rebuilt, err := harness.Rebuild(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rebuilt.Results) != 3 || rebuilt.Results[2].Repeats != 3 {
		t.Errorf("journal rebuilt %d results", len(rebuilt.Results))
	}
}

// TestFullDiskEverywhere: a disk that fills during the run (the journal
// stops early, with a warning), and a temporary folder that cannot be
// written either: the table is printed, and the error names both paths.
func TestFullDiskEverywhere(t *testing.T) {
	disk := smallDisk(t, "size=8k")
	dir := filepath.Join(disk, "out")
	cmd := poolbench("run", "--workload", "noop", "--tasks", "50", "--repeat", "3", "--warmup", "0",
		"--strategies", "serial,goroutines,goroutine-pool", "--out", dir)
	cmd.Env = append(cmd.Env, "TMPDIR="+filepath.Join(t.TempDir(), "missing"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1; stderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "goroutine-pool") {
		t.Errorf("the summary table was not printed:\n%s", stdout.String())
	}
	msg := stderr.String()
	for _, part := range []string{"warning: trials could not be journaled:", "no space left on device",
		"results.json could not be written to " + filepath.Join(dir, "results.json"), "nor to ", "what was printed above is all that is left"} {
		if !strings.Contains(msg, part) {
			t.Errorf("stderr %q lacks %q", msg, part)
		}
	}
}

func encode(t *testing.T, run *results.Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := results.Encode(&b, run); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLogNeedsTheSpace: a log experiment whose files cannot fit where they
// go is refused before anything is written.
func TestLogNeedsTheSpace(t *testing.T) {
	disk := smallDisk(t, "size=1m")
	dir := filepath.Join(disk, "out")
	expectUsage(t, "--writers 10 x --records 1000 x up to 4096 B: up to 40.3 MiB of log files, more than the 1.0 MiB free for "+dir,
		"log", "--writers", "10", "--records", "1000", "--record-size", "4KiB", "--out", dir)
	if exists(dir) {
		t.Errorf("%s was made for a refused run", dir)
	}
}
