package procsync

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// childEnv selects a helper role when the test binary re-executes itself.
const childEnv = "PROCSYNC_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		if err := runChild(role); err != nil {
			fmt.Fprintf(os.Stderr, "child %s: %v\n", role, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// runChild is the body of a helper process. Children that take part in a
// race first wait for EOF on stdin, so that the parent can start them all
// before any begins.
func runChild(role string) error {
	ctx := context.Background()
	lockPath := os.Getenv("PROCSYNC_LOCK")
	switch role {
	case "counter":
		n, _ := strconv.Atoi(os.Getenv("PROCSYNC_N"))
		var lock *Lock
		if lockPath != "" {
			l, err := NewLock(lockPath)
			if err != nil {
				return err
			}
			defer l.Close()
			lock = l
		}
		f, err := os.OpenFile(os.Getenv("PROCSYNC_FILE"), os.O_RDWR, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		barrier()
		for range n {
			if lock != nil {
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
			}
			v, err := readCounter(f)
			if err != nil {
				return err
			}
			// The window between read and write, where an unlocked
			// update is lost.
			time.Sleep(500 * time.Microsecond)
			if err := writeCounter(f, v+1); err != nil {
				return err
			}
			if lock != nil {
				if err := lock.Release(); err != nil {
					return err
				}
			}
		}
		return nil
	case "hold":
		l, err := NewLock(lockPath)
		if err != nil {
			return err
		}
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		fmt.Println("held")
		time.Sleep(time.Minute) // until killed
		return nil
	case "spin":
		return spin(ctx, lockPath, os.Getenv("PROCSYNC_FILE"))
	case "semhold":
		s, err := NewSemaphore(os.Getenv("PROCSYNC_DIR"), 2)
		if err != nil {
			return err
		}
		if err := s.Acquire(ctx); err != nil {
			return err
		}
		fmt.Println("held")
		time.Sleep(time.Minute) // until killed
		return nil
	case "hello":
		// The article's example: acquire, print, release. The line goes
		// out in two writes with a pause between, so that without the
		// lock the lines of different processes would interleave.
		l, err := NewLock(lockPath)
		if err != nil {
			return err
		}
		defer l.Close()
		barrier()
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		if _, err := os.Stdout.WriteString("hello "); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
		if _, err := os.Stdout.WriteString(os.Getenv("PROCSYNC_ID") + "\n"); err != nil {
			return err
		}
		return l.Release()
	case "sem":
		s, err := NewSemaphore(os.Getenv("PROCSYNC_DIR"), 2)
		if err != nil {
			return err
		}
		defer s.Close()
		// O_APPEND: each line is one write(2), so the file's order is the
		// order of the events.
		f, err := os.OpenFile(os.Getenv("PROCSYNC_FILE"), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		id := os.Getenv("PROCSYNC_ID")
		n, _ := strconv.Atoi(os.Getenv("PROCSYNC_N"))
		barrier()
		for range n {
			if err := s.Acquire(ctx); err != nil {
				return err
			}
			if _, err := f.WriteString("+ " + id + "\n"); err != nil {
				return err
			}
			time.Sleep(3 * time.Millisecond)
			if _, err := f.WriteString("- " + id + "\n"); err != nil {
				return err
			}
			if err := s.Release(); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown role %q", role)
}

func barrier() { io.Copy(io.Discard, os.Stdin) }

const counterWidth = 20

// readCounter and writeCounter keep a fixed-width decimal at offset 0, so
// that an unlocked reader never sees a truncated file.
func readCounter(f *os.File) (int, error) {
	buf := make([]byte, counterWidth)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return 0, err
	}
	return strconv.Atoi(string(buf))
}

func writeCounter(f *os.File, v int) error {
	_, err := f.WriteAt(fmt.Appendf(nil, "%0*d", counterWidth, v), 0)
	return err
}

// child is one helper process. Cleanup kills and reaps it if the test did
// not wait for it, so that no child outlives its test.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader // set when the test reads the child's output
	waited bool
}

// spawn starts a helper in role with extra environment. With out nil the
// child's stdout is readable through c.stdout; otherwise it goes to out.
func spawn(t *testing.T, role string, out *os.File, env ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	// Race-enabled binaries sleep a second at exit unless told not to.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=" + role, "GORACE=" + gorace}, env...)...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	c := &child{cmd: cmd}
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if out != nil {
		cmd.Stdout = out
	} else {
		r, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		c.stdout = bufio.NewReader(r)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !c.waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return c
}

// release lets a child past its start barrier.
func (c *child) release() { c.stdin.Close() }

func (c *child) wait() error {
	c.waited = true
	return c.cmd.Wait()
}

// waitLine reads one line of the child's stdout, failing the test after d.
func (c *child) waitLine(t *testing.T, d time.Duration) string {
	t.Helper()
	type res struct {
		s   string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		s, err := c.stdout.ReadString('\n')
		ch <- res{s, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("child output: %v", r.err)
		}
		return r.s
	case <-time.After(d):
		c.cmd.Process.Kill()
		<-ch
		t.Fatalf("child wrote nothing within %v", d)
		return ""
	}
}

// kill SIGKILLs the child and reaps it.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.wait()
}
