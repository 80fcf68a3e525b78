package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/results"
)

// descendants lists the live processes below pid, by parent pid.
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 2 || f[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], p)
	}
	var out []int
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			out = append(out, c)
			walk(c)
		}
	}
	walk(pid)
	return out
}

func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}

// startBusyRun starts a run that takes long enough to interrupt and waits
// until its trial has started workers, returning the command, its output
// folder and the processes below it at that moment. wrap, if given, may
// change the command before it starts.
func startBusyRun(t *testing.T, wrap ...func(*exec.Cmd)) (*exec.Cmd, string, *bytes.Buffer, []int) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	cmd := poolbench("run", "--workload", "io", "--task-size", "300ms", "--tasks", "20", "--workers", "4",
		"--strategies", "goroutines,process-per-task,pool-apply-async", "--repeat", "5", "--warmup", "0", "--out", dir)
	for _, w := range wrap {
		w(cmd)
	}
	stderr := startCaptured(t, cmd)
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The trial process and at least a few workers below it.
		if kids := descendants(cmd.Process.Pid); len(kids) >= 4 {
			return cmd, dir, stderr, kids
		}
		if time.Now().After(deadline) {
			t.Fatalf("no workers started; stderr: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startCaptured starts cmd with its stderr captured; the test's cleanup
// kills and reaps it, if it is still there.
func startCaptured(t *testing.T, cmd *exec.Cmd) *bytes.Buffer {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return &stderr
}

func waitGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				syscall.Kill(pid, syscall.SIGKILL)
				t.Errorf("process %d outlived poolbench", pid)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestInterruptKeepsPartialResults(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}, {syscall.SIGHUP, 129}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			cmd, dir, stderr, kids := startBusyRun(t)
			start := time.Now()
			cmd.Process.Signal(tt.sig)
			err := cmd.Wait()
			took := time.Since(start)
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != tt.code {
				t.Fatalf("exit %v, want status %d; stderr: %s", err, tt.code, stderr)
			}
			t.Logf("stopped %v after %v, %d processes below it", tt.sig, took, len(kids))
			// A liveness bound only: stopping includes saving the partial
			// run and drawing its charts, which a loaded machine slows many
			// times over. Speed is not what this test holds.
			if took > 60*time.Second {
				t.Errorf("took %v to stop", took)
			}
			waitGone(t, kids)
			run, err := results.ReadFile(filepath.Join(dir, "results.json"))
			if err != nil {
				t.Fatalf("results after interrupt: %v", err)
			}
			if !run.Partial {
				t.Error("results not marked partial")
			}
			if want := "partial run: interrupted by " + signalName(tt.sig); !slices.Contains(run.Notes, want) {
				t.Errorf("notes %q lack %q", run.Notes, want)
			}
			if !strings.Contains(stderr.String(), "interrupted by "+map[int]string{130: "SIGINT", 143: "SIGTERM", 129: "SIGHUP"}[tt.code]) {
				t.Errorf("stderr: %s", stderr)
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// Under nohup, which starts it with SIGHUP ignored, a run outlives a
// hangup (a dropped SSH session) and stops only on another signal.
func TestNohupRunIgnoresHangup(t *testing.T) {
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Skip("no nohup:", err)
	}
	cmd, dir, stderr, _ := startBusyRun(t, func(cmd *exec.Cmd) {
		// nohup execs the program: the pid stays the one signalled.
		cmd.Args = append([]string{"nohup", cmd.Path}, cmd.Args[1:]...)
		cmd.Path = nohup
	})
	cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(200 * time.Millisecond) // were SIGHUP caught, it would be handled first
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 143 || !strings.Contains(stderr.String(), "interrupted by SIGTERM") {
		t.Fatalf("exit %v, want 143 from the SIGTERM, the SIGHUP ignored; stderr: %s", err, stderr)
	}
	if run, err := results.ReadFile(filepath.Join(dir, "results.json")); err != nil || !run.Partial {
		t.Fatalf("results after SIGTERM: %v", err)
	}
}

// timeout(1) signals the process and then its process group, in which
// poolbench is too: one interruption delivered twice, which saves the run
// as one Ctrl-C does, rather than exiting at once as a second would.
func TestSignalToProcessAndGroupIsOne(t *testing.T) {
	cmd, dir, stderr, kids := startBusyRun(t, func(cmd *exec.Cmd) { cmd.SysProcAttr.Setpgid = true })
	cmd.Process.Signal(syscall.SIGINT)
	// Apart enough that the runtime does not merge them as one pending
	// signal, as close as timeout sends them.
	time.Sleep(20 * time.Millisecond)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "partial results were kept") {
		t.Fatalf("exit %v, want 130 with the results kept; stderr: %s", err, stderr)
	}
	waitGone(t, kids)
	if run, err := results.ReadFile(filepath.Join(dir, "results.json")); err != nil || !run.Partial {
		t.Fatalf("results after the interrupt: %v", err)
	}
}

// A second Ctrl-C exits at once, before the results are saved, and says
// where the trials measured so far are.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	cmd, dir, stderr, kids := startBusyRun(t)
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(2 * echoWindow) // sooner, it would be the first one again
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130", err)
	}
	waitGone(t, kids)
	// Whichever point the second signal stopped it at, stderr names the
	// file that holds what was measured, and the file is there. (When the
	// kernel merges the second signal into the first, still pending, it
	// was one Ctrl-C, which saves and says so.)
	journal, saved := filepath.Join(dir, "journal.jsonl"), filepath.Join(dir, "results.json")
	var named string
	switch out := stderr.String(); {
	case strings.Contains(out, "the trials measured so far are in "+journal):
		named = journal
	case strings.Contains(out, "the results are saved in "+saved), strings.Contains(out, "partial results were kept"):
		named = saved
	default:
		t.Fatalf("stderr names neither %s nor %s: %q", journal, saved, out)
	}
	if _, err := os.Stat(named); err != nil {
		t.Errorf("the file named: %v", err)
	}
}

// TestKilledPoolbenchTakesItsChildren: SIGKILL runs none of poolbench's
// code, so only the parent-death signal in every child can clean up.
func TestKilledPoolbenchTakesItsChildren(t *testing.T) {
	cmd, _, _, kids := startBusyRun(t)
	cmd.Process.Kill()
	cmd.Wait()
	waitGone(t, kids)
}

// A Ctrl-C during --preset article's live example, before anything is
// measured, stops it like a run: exit 130, its workers gone, and no journal
// or lock left in the folder, which the next run may use.
func TestInterruptDuringArticleExample(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	cmd := poolbench("run", "--preset", "article", "--strategies", "serial", "--tasks", "2", "--task-size", "1ms",
		"--repeat", "1", "--warmup", "0", "--out", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := startCaptured(t, cmd)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "log: pid ") {
	}
	kids := descendants(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGINT)
	go io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stderr: %s", err, stderr.String())
	}
	waitGone(t, kids)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left in the folder: %s", e.Name())
	}
}

// A Ctrl-C while poolbench asks a python3 about itself (a probe that takes
// a moment: a pyenv shim, a cold disk) stops the probe and every process it
// started, exits 130 without claiming to have kept anything, and takes
// away the output folder the run made. Each case probes at another point:
// validating --python, choosing the article preset's strategies, the
// article example's CPython half (python3 found on PATH), and list.
func TestInterruptDuringPythonProbe(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(python string) []string
		path bool // the slow python3 is found on PATH, not given
		list bool // not a run: no folder
	}{
		{"validate", func(py string) []string {
			return []string{"run", "--workload", "cpu", "--tasks", "2", "--strategies", "py-serial", "--python", py}
		}, false, false},
		{"preset", func(py string) []string { return []string{"run", "--preset", "article", "--python", py} }, false, false},
		{"article example", func(string) []string {
			return []string{"run", "--preset", "article", "--strategies", "serial", "--tasks", "2", "--task-size", "1ms"}
		}, true, false},
		{"list", func(py string) []string { return []string{"list", "--python", py} }, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			started := filepath.Join(tmp, "started")
			// It says it has started, then takes its time, in a child of
			// its own as a shim's helpers are.
			python := filepath.Join(tmp, "python3")
			script := fmt.Sprintf("#!/bin/sh\necho $$ > %s.tmp && mv %s.tmp %s\nsleep 60\n", started, started, started)
			if err := os.WriteFile(python, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			// Two folders the run makes, both taken away.
			dir := filepath.Join(tmp, "out", "run")
			args := tc.args(python)
			if !tc.list {
				args = append(args, "--repeat", "1", "--warmup", "0", "--out", dir)
			}
			cmd := poolbench(args...)
			if tc.path {
				cmd.Env = append(cmd.Env, "PATH="+tmp+":"+os.Getenv("PATH"))
			}
			stderr := startCaptured(t, cmd)
			for deadline := time.Now().Add(time.Minute); !exists(started); time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the probe never started; stderr: %s", stderr.String())
				}
			}
			// The probe and its sleep (the trial, or a pool's workers,
			// may be there too).
			var kids []int
			for deadline := time.Now().Add(time.Minute); len(kids) < 2; time.Sleep(5 * time.Millisecond) {
				if kids = descendants(cmd.Process.Pid); time.Now().After(deadline) {
					t.Fatalf("processes below poolbench: %v, want the probe and its sleep", kids)
				}
			}
			cmd.Process.Signal(syscall.SIGINT)
			err := cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
				t.Fatalf("exit %v, want 130; stderr: %s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted by SIGINT") || strings.Contains(stderr.String(), "kept") {
				t.Errorf("stderr %q: want the interruption, and no word of results kept", stderr.String())
			}
			waitGone(t, kids)
			if made := filepath.Join(tmp, "out"); exists(made) {
				entries, _ := os.ReadDir(made)
				t.Errorf("the folders the run made were left behind, %s holding %d entries", made, len(entries))
			}
		})
	}
}
