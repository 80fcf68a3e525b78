// Package procwatch tells, from /proc, which executables a command's
// grandchildren ran: for tests of which binary a poolbench run's pool
// workers are (the run's children are its trials, theirs the workers).
package procwatch

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
)

// RunTrial runs one trial of strategy from the poolbench at path, two io
// tasks of 300 ms (which keep its workers alive while /proc is read) with
// two workers, into out, and returns the executables its workers in role
// ran (GrandchildExes: the run's children are the trial and its solo
// worker starts) and the run's results.
func RunTrial(t testing.TB, poolbench, strategy, role, out string) (map[string]bool, *results.Run) {
	t.Helper()
	cmd := exec.Command(poolbench, "run", "--workload", "io", "--task-size", "300ms", "--tasks", "2", "--workers", "2",
		"--strategies", strategy, "--repeat", "1", "--warmup", "0", "--out", out)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exes, err := GrandchildExes(cmd, role)
	if err != nil {
		t.Fatalf("poolbench run: %v\n%s", err, stderr.String())
	}
	run, err := results.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return exes, run
}

// GrandchildExes waits for cmd, already started, to exit, reading its
// grandchildren from /proc meanwhile, and returns the executables that
// those started in role (procpool.EnvRole set to role, or to role:spec)
// ran, with cmd.Wait's error. Until its exec a child shows its parent's
// executable and environment, and other grandchildren (a shell a trial
// runs) may exit soon after theirs: so a grandchild counts only once its
// environment shows the role, which its exec gave it, and its executable
// is read after that. A grandchild must live for some milliseconds to be
// seen at all.
func GrandchildExes(cmd *exec.Cmd, role string) (map[string]bool, error) {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exes := map[string]bool{}
	for {
		select {
		case err := <-done:
			return exes, err
		default:
		}
		for _, pid := range Grandchildren(cmd.Process.Pid) {
			proc := "/proc/" + strconv.Itoa(pid)
			env, err := os.ReadFile(proc + "/environ")
			if err != nil || !hasRole(env, role) {
				continue
			}
			if exe, err := os.Readlink(proc + "/exe"); err == nil {
				exes[exe] = true
			}
		}
		time.Sleep(2 * time.Millisecond) // the pace of the reads, not a wait for anything
	}
}

// hasRole tells whether environ, as /proc/PID/environ holds it, sets
// procpool.EnvRole to role or to role:spec.
func hasRole(environ []byte, role string) bool {
	want := procpool.EnvRole + "=" + role
	for _, kv := range strings.Split(string(environ), "\x00") {
		if kv == want || strings.HasPrefix(kv, want+":") {
			return true
		}
	}
	return false
}

// Grandchildren are the processes whose parent's parent is pid, from /proc.
func Grandchildren(pid int) []int {
	parent := map[int]int{}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		p, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold blanks and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if f := strings.Fields(string(stat[i+1:])); i > 0 && len(f) > 1 {
			parent[p], _ = strconv.Atoi(f[1])
		}
	}
	var out []int
	for p, pp := range parent {
		if parent[pp] == pid {
			out = append(out, p)
		}
	}
	return out
}
