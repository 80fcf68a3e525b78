//go:build linux

package measure

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The test binary doubles as the processes the tests sample: started with
// MEASURE_TEST_CHILD=<mode>, TestMain runs that mode instead of the tests.
const childEnv = "MEASURE_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	goleak.VerifyTestMain(m)
}

// child is a running copy of the test binary in one of the child modes. Its
// stdin is its lifeline: closing it asks the child to clean up and exit.
type child struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  *os.File
	stdout *os.File
	lines  *bufio.Reader
	waited bool
	state  *os.ProcessState
}

// startChild starts the test binary in mode, with extra environment
// variables, and makes sure that it is killed and reaped when the test ends,
// whatever happens.
func startChild(t testing.TB, mode string, env ...string) *child {
	t.Helper()
	return startChildWith(t, (*exec.Cmd).Start, mode, env...)
}

// startChildWith is startChild with the command started by start (in a
// cgroup, say).
func startChildWith(t testing.TB, start func(*exec.Cmd) error, mode string, env ...string) *child {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = childEnviron(mode, env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = start(cmd)
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		t.Fatalf("start child %s: %v", mode, err)
	}
	c := &child{t: t, cmd: cmd, stdin: inW, stdout: outR, lines: bufio.NewReader(outR)}
	t.Cleanup(c.cleanup)
	return c
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// cleanup lets the child exit on its own (it reaps its own children), and
// kills it if it has not within a few seconds.
func (c *child) cleanup() {
	c.stdin.Close()
	if !c.waited {
		done := make(chan struct{})
		timer := time.AfterFunc(5*time.Second, func() { c.cmd.Process.Kill() })
		go func() { c.cmd.Wait(); close(done) }()
		<-done
		timer.Stop()
		c.waited = true
	}
	c.stdout.Close()
}

// expect reads the child's next line and fails unless it starts with want.
// It returns the rest of the line.
func (c *child) expect(want string) string {
	c.t.Helper()
	c.stdout.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := c.lines.ReadString('\n')
	if err != nil {
		c.t.Fatalf("child %d: waiting for %q: %v", c.pid(), want, err)
	}
	line = strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(line, want)
	if !ok {
		c.t.Fatalf("child %d: got %q, want %q", c.pid(), line, want)
	}
	return strings.TrimSpace(rest)
}

func (c *child) send(line string) {
	c.t.Helper()
	if _, err := fmt.Fprintln(c.stdin, line); err != nil {
		c.t.Fatalf("child %d: send %q: %v", c.pid(), line, err)
	}
}

// finish closes the child's stdin and reaps it.
func (c *child) finish() *os.ProcessState {
	c.t.Helper()
	c.stdin.Close()
	if !c.waited {
		err := c.cmd.Wait()
		c.waited = true
		if err != nil {
			c.t.Fatalf("child %d: %v", c.pid(), err)
		}
	}
	return c.cmd.ProcessState
}

// startGrandchildren starts n copies of the test binary in mode, each dying
// with this process.
func startGrandchildren(n int, mode string, env ...string) ([]*exec.Cmd, error) {
	var cmds []*exec.Cmd
	for range n {
		cmd := exec.Command(os.Args[0])
		cmd.Env = childEnviron(mode, env...)
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			reap(cmds)
			return nil, err
		}
		cmds = append(cmds, cmd)
	}
	return cmds, nil
}

// childEnviron is the environment of a child in mode. A binary built with
// -race sleeps a second at exit by default (atexit_sleep_ms); a child need
// not.
func childEnviron(mode string, env ...string) []string {
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	return append(append(os.Environ(), childEnv+"="+mode, "GORACE="+gorace), env...)
}

func reap(cmds []*exec.Cmd) {
	for _, cmd := range cmds {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
