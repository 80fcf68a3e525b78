package procpool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A task runs at most once: a task that finished in a worker whose next
// task then killed it must not run again, whether or not its result made
// it out first.
func TestFinishedTaskNeverRunsAgain(t *testing.T) {
	p := newPool(t, 1, Prefetch(4))
	dir := t.TempDir()
	for round := range 20 {
		marks := filepath.Join(dir, "marks")
		os.Remove(marks)
		// One write carries both, so the crash is already buffered in the
		// worker when the mark finishes and its result is handed to the
		// worker's writer.
		mark := p.newAsync(Task{Func: "test.mark", Args: []byte(marks)}, nil, nil, nil)
		crash := p.newAsync(Task{Func: "test.exit", Args: []byte("3")}, nil, nil, nil)
		if err := p.submit(mark, crash); err != nil {
			t.Fatal(err)
		}
		if _, err := crash.GetTimeout(time.Minute); err == nil {
			t.Fatal("the crashing task succeeded")
		}
		_, err := mark.GetTimeout(time.Minute)
		var died *WorkerDiedError
		if err != nil && !(errors.As(err, &died) && died.Finished) {
			t.Fatalf("round %d: the finished task: %v", round, err)
		}
		data, _ := os.ReadFile(marks)
		if n := bytes.Count(data, []byte("ran\n")); n != 1 {
			t.Fatalf("round %d: the task ran %d times (its result: %v)", round, n, err)
		}
	}
}

// A result over the pool's frame limit fails its own task, and the worker,
// which knows the limit, stays up.
func TestOversizedResultFailsOnlyItsTask(t *testing.T) {
	p := newPool(t, 1, MaxFrame(64<<10), Prefetch(8))
	var as []*AsyncResult
	for _, fn := range []string{"test.big1m", "test.echo", "test.big1m", "test.echo"} {
		as = append(as, p.newAsync(Task{Func: fn, Args: []byte("x")}, nil, nil, nil))
	}
	if err := p.submit(as...); err != nil {
		t.Fatal(err)
	}
	for i, a := range as {
		v, err := a.GetTimeout(time.Minute)
		var enc *EncodingError
		switch {
		case i%2 == 1 && (err != nil || string(v) != "x"):
			t.Errorf("task %d after an oversized result: %q, %v", i, v, err)
		case i%2 == 0 && (!errors.As(err, &enc) || !errors.Is(err, ErrFrameTooLarge) || enc.Size != 1<<20):
			t.Errorf("oversized result %d: %v, want an EncodingError for 1 MiB", i, err)
		}
	}
	if st := p.Stats(); st.Starts != 1 {
		t.Fatalf("%d worker starts: an oversized result cost a worker", st.Starts)
	}
}

// A timeout kill is the late task's cause only: when the late task
// finished as the kill was sent, the task the kill hit is not "timed out".
func TestTimeoutKillBlamesOnlyTheLateTask(t *testing.T) {
	p := newPool(t, 1)
	a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Hour)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitRunning(t, p, 1)
	p.mu.Lock()
	pr := p.procs[0]
	p.mu.Unlock()
	// What the watchdog does when the late task (an earlier one) has
	// just finished and this one has just started.
	pr.kill(&TimeoutError{After: time.Second}, a.id-1+1000)
	_, err = a.GetTimeout(time.Minute)
	var died *WorkerDiedError
	var te *TimeoutError
	if !errors.As(err, &died) || errors.As(err, &te) {
		t.Fatalf("task hit by another task's timeout kill: %v, want a WorkerDiedError that is no TimeoutError", err)
	}
}

// A worker killed from outside between tasks blames no task: those it had
// been sent but not started run on its replacement.
func TestKillBetweenTasksBlamesNoTask(t *testing.T) {
	p := newPool(t, 1, Prefetch(4))
	r, err := p.Apply(context.Background(), Task{Func: "test.echo"})
	if err != nil {
		t.Fatal(err)
	}
	pid := r.WorkerPID
	// Stopped, it cannot start what it is sent next.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, pid)
	var as []*AsyncResult
	for range 3 {
		a, err := p.ApplyAsync(Task{Func: "test.pid"}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	for i, a := range as {
		r := a.Result()
		if r.Err != nil || r.WorkerPID == pid {
			t.Fatalf("task %d, sent but not started when its worker was killed: pid %d, %v", i, r.WorkerPID, r.Err)
		}
	}
}

// Arguments belong to the pool once submitted, and an initializer may keep
// its own: neither sees bytes written later by someone else.
func TestArgumentsAreNotAliased(t *testing.T) {
	t.Run("initializer args reused by the caller", func(t *testing.T) {
		args := []byte("first")
		p := newPool(t, 1, Initializer("test.init", args), MaxTasksPerChild(1))
		copy(args, "XXXXX")
		res, err := p.Map(context.Background(), "test.inited", make([][]byte, 3))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if string(r.Value) != "first" {
				t.Fatalf("worker %d initialised with %q", r.WorkerPID, r.Value)
			}
		}
	})
	t.Run("task args reused while queued", func(t *testing.T) {
		p := newPool(t, 1, Prefetch(0))
		p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Second)}, nil, nil)
		args := []byte("one")
		a, err := p.ApplyAsync(Task{Func: "test.echo", Args: args}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		copy(args, "two")
		if v, err := a.Get(context.Background()); err != nil || string(v) != "one" {
			t.Fatalf("queued task ran with %q, %v", v, err)
		}
	})
	// Small init frames are in the pipe before the worker starts; one
	// larger than a pipe's buffer goes through the writer goroutine.
	for _, keep := range [][]byte{[]byte("keep me"), bytes.Repeat([]byte("keep me "), 32<<10)} {
		t.Run(fmt.Sprintf("initializer keeps its %d bytes of args in the worker", len(keep)), func(t *testing.T) {
			p := newPool(t, 1, Initializer("test.initkeep", keep))
			if _, err := p.Apply(context.Background(), Task{Func: "test.echo", Args: []byte("overwrite it")}); err != nil {
				t.Fatal(err)
			}
			if r, err := p.Apply(context.Background(), Task{Func: "test.kept"}); err != nil || !bytes.Equal(r.Value, keep) {
				t.Fatalf("initializer's args read %.20q (%d bytes) later, %v", r.Value, len(r.Value), err)
			}
		})
	}
}

// waitStopped waits until every thread of pid has stopped: a stop signal
// reaches each thread in its own time.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		stopped := len(tasks) > 0
		for _, task := range tasks {
			data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
			s := string(data)
			i := strings.LastIndexByte(s, ')')
			if i < 0 || i+2 >= len(s) || (s[i+2] != 'T' && s[i+2] != 't') {
				stopped = false
			}
		}
		if stopped {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker %d did not stop", pid)
		}
		time.Sleep(time.Millisecond)
	}
}
