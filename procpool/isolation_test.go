package procpool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A task's subprocess must neither inherit the worker's protocol
// descriptors nor, if handed one on purpose, hide the worker's exit.
func TestTaskSubprocessDoesNotHideWorkerExit(t *testing.T) {
	for _, mode := range []string{"inherit", "pass"} {
		t.Run(mode, func(t *testing.T) {
			p := newPool(t, 1)
			// The protocol's descriptors, as the subprocess would see them.
			p.mu.Lock()
			pr := p.procs[0]
			p.mu.Unlock()
			protocol := map[string]bool{"procpool-current": true}
			for _, f := range []*os.File{pr.taskW, pr.resR} {
				fi, err := f.Stat()
				if err != nil {
					t.Fatal(err)
				}
				protocol[fmt.Sprintf("pipe:[%d]", fi.Sys().(*syscall.Stat_t).Ino)] = true
			}
			pidFile := filepath.Join(t.TempDir(), "pid")
			got := make(chan error, 1)
			go func() {
				_, err := p.Apply(context.Background(), Task{Func: "test.subprocess", Args: []byte(mode + ":" + pidFile)})
				got <- err
			}()
			var err error
			select {
			case err = <-got:
			case <-time.After(time.Minute):
				t.Fatal("the worker exited, its subprocess lives on, and its task is still pending")
			}
			data, rerr := os.ReadFile(pidFile)
			sub, _ := strconv.Atoi(string(data))
			if rerr != nil || sub == 0 {
				t.Fatalf("no subprocess pid: %v", rerr)
			}
			defer syscall.Kill(sub, syscall.SIGKILL)
			if !strings.Contains(fmt.Sprint(err), "exit status 3") {
				t.Fatalf("task: %v, want its worker's exit status 3", err)
			}
			if mode == "inherit" {
				fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", sub))
				for _, fd := range fds {
					link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", sub, fd.Name()))
					if protocol[strings.TrimPrefix(strings.TrimSuffix(link, " (deleted)"), "/memfd:")] {
						t.Errorf("the subprocess inherited the protocol's fd %s (%s)", fd.Name(), link)
					}
				}
			}
		})
	}
}

// Workers writing to one output that is not a file at once must not race.
func TestWorkerOutputToOneBuffer(t *testing.T) {
	var buf bytes.Buffer
	p := newPool(t, 2, WorkerOutput(&buf, &buf))
	args := make([][]byte, 200)
	for i := range args {
		args[i] = []byte(strconv.Itoa(i))
	}
	if _, err := p.Map(context.Background(), "test.print", args); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Join() // the output copiers are done once the workers are reaped
	if n := strings.Count(buf.String(), "line "); n != 200 {
		t.Fatalf("%d of 200 lines came back", n)
	}
}

// A worker whose output is a closed pipe gets an error from the write,
// and lives.
func TestWorkerOutputToAClosedPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	p := newPool(t, 1, WorkerOutput(w, w))
	_, err = p.Apply(context.Background(), Task{Func: "test.print", Args: []byte("x")})
	var te *TaskError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("print to a closed pipe: %v, want the task's own EPIPE error", err)
	}
	if st := p.Stats(); st.Starts != 1 {
		t.Fatalf("%d worker starts: the worker died", st.Starts)
	}
}

// Ctrl-C at a terminal reaches the workers too; a worker catches it before
// its initializer or any task runs, so neither dies of it. The functions
// interrupt their own worker: were SIGINT not caught yet, the worker
// would die before the kill returned.
func TestWorkerSurvivesInterrupt(t *testing.T) {
	p := newPool(t, 1, Initializer("test.interrupt", nil))
	ctx := context.Background()
	for range 2 {
		if _, err := p.Apply(ctx, Task{Func: "test.interrupt"}); err != nil {
			t.Fatalf("a task that interrupts its worker: %v", err)
		}
	}
	if st := p.Stats(); st.Starts != 1 {
		t.Fatalf("%d worker starts: the worker died", st.Starts)
	}
}

// Workers outlive the OS thread of the goroutine that created the pool,
// even when that thread exits (the parent-death signal is per thread).
func TestWorkersOutliveALockedCreatorThread(t *testing.T) {
	type made struct {
		p   *Pool
		tid int
		err error
	}
	ch := make(chan made, 1)
	var m made
	for {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with us
			if unix.Gettid() == os.Getpid() {
				// The main thread is parked, never ended: try another.
				ch <- made{}
				return
			}
			p, err := New(1)
			ch <- made{p, unix.Gettid(), err}
		}()
		if m = <-ch; m.p != nil || m.err != nil {
			break
		}
	}
	if m.err != nil {
		t.Fatal(m.err)
	}
	p := m.p
	defer func() { p.Terminate(); p.Join() }()
	pid := p.PIDs()[0]
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", m.tid)); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the locked thread did not exit")
		}
		time.Sleep(time.Millisecond)
	}
	r, err := p.Apply(context.Background(), Task{Func: "test.pid"})
	if err != nil || r.WorkerPID != pid {
		t.Fatalf("after the creator's thread exited: worker %d (first %d), %v", r.WorkerPID, pid, err)
	}
	if st := p.Stats(); st.Starts != 1 {
		t.Fatalf("%d worker starts, want 1", st.Starts)
	}
}
