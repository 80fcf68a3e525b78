//go:build linux

package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// asNobody returns poolbench with args run as the user nobody under a
// process limit of nproc, with a copy of the test binary that nobody can
// execute; it skips when the test cannot switch users.
func asNobody(t *testing.T, nproc string, args ...string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a child as nobody: root ignores RLIMIT_NPROC, so the limit is tried on another user")
	}
	dir := t.TempDir()
	for d := dir; d != filepath.Dir(d) && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o777)
	}
	bin := filepath.Join(dir, "poolbench")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("no prlimit (util-linux) to lower the child's process limit")
	}
	argv, _ := json.Marshal(args)
	// prlimit lowers the limit for itself, then becomes poolbench: a limit
	// any user may lower.
	cmd := exec.Command(prlimit, "--nproc="+nproc, "--", bin, "-test.run=^$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), envCLIArgs+"="+string(argv), "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd
}

// TestProcessLimitStopsTheTrial: with too few processes allowed, process
// starts that fail are not task errors: the run stops, exit status 1, with
// one line naming the limit, and what was measured before is saved. Neither
// the trial nor a worker the runtime aborts at the limit prints a dump of
// goroutines.
func TestProcessLimitStopsTheTrial(t *testing.T) {
	cmd := asNobody(t, "150", "run", "--workload", "io", "--task-size", "200ms", "--tasks", "250",
		"--strategies", "goroutines,process-per-task", "--repeat", "1", "--warmup", "0", "--out", "out", "--allow-oversubscribe")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1; stderr: %s", err, tail(stderr.String()))
	}
	last := tail(stderr.String())
	for _, want := range []string{"process-per-task on io: ", "tasks could not start a process (resource temporarily unavailable)", "ulimit -u 150"} {
		if !strings.Contains(last, want) {
			t.Errorf("last line of stderr %q lacks %q", last, want)
		}
	}
	if !strings.Contains(stdout.String(), "goroutines") {
		t.Errorf("goroutines, measured before, was not printed:\n%s", stdout.String())
	}
	for _, dump := range []string{"\ngoroutine ", "runtime stack:", "SIGABRT"} {
		if strings.Contains(stderr.String(), dump) {
			t.Errorf("stderr holds a runtime dump (%q):\n%s", dump, stderr.String())
			break
		}
	}
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestFileLimitStopsAPoolsStart: a pool whose workers' pipes run out of
// descriptors stops the run with one line naming the limit to raise, as
// per-task starts do.
func TestFileLimitStopsAPoolsStart(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("no prlimit (util-linux) to lower the child's file limit")
	}
	cmd := poolbench("run", "--workload", "noop", "--tasks", "4", "--workers", "200", "--strategies", "pool-apply",
		"--repeat", "1", "--warmup", "0", "--out", filepath.Join(t.TempDir(), "out"))
	// Soft and hard both, or Go's runtime would raise the soft limit again.
	cmd.Args = append([]string{prlimit, "--nofile=150", "--"}, cmd.Args...)
	cmd.Path = prlimit
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1; stderr: %s", err, tail(stderr.String()))
	}
	if last := tail(stderr.String()); !strings.Contains(last, "too many open files") || !strings.Contains(last, "ulimit -n 150") {
		t.Errorf("last line of stderr %q: want the failure and the limit to raise", last)
	}
}
