package procpool

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/schedstat"
)

func TestWorkerDeathFailsOneTaskAndIsReplaced(t *testing.T) {
	tests := []struct {
		name, fn, arg, want string
	}{
		{"exit", "test.exit", "3", "exit status 3"},
		{"exit zero", "test.exit", "0", "exit status 0"},
		{"signal", "test.sigkill", "", "signal: killed"},
		{"garbage frame", "test.garbage", "", "frame too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, 2, Prefetch(4))
			// Queue work behind the dying task on the same worker.
			var handles []*AsyncResult
			for i := range 12 {
				task := Task{Func: "test.sleep", Args: sleepArgs(5 * time.Millisecond)}
				if i == 4 {
					task = Task{Func: tt.fn, Args: []byte(tt.arg)}
				}
				a, err := p.ApplyAsync(task, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				handles = append(handles, a)
			}
			errs := make([]error, len(handles))
			for i, a := range handles {
				_, errs[i] = a.GetTimeout(20 * time.Second)
				if errors.Is(errs[i], ErrTimeout) {
					t.Fatalf("task %d hung after a worker died", i)
				}
			}
			var died *WorkerDiedError
			if err := errs[4]; !errors.As(err, &died) || died.Finished {
				t.Fatalf("dying task: %v, want a WorkerDiedError for the task it ran", err)
			} else if !strings.Contains(err.Error(), strconv.Itoa(died.PID)) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q should name the pid and %q", err, tt.want)
			}
			for i, err := range errs {
				if i != 4 && err != nil && !lostWithWorker(err, died) {
					t.Fatalf("task %d failed too: %v", i, err)
				}
			}
			// The pool goes on with a replacement.
			if _, err := p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil {
				t.Fatal(err)
			}
			if pids := p.PIDs(); len(pids) != 2 || slices.Contains(pids, died.PID) {
				t.Fatalf("workers %v after %d died", pids, died.PID)
			}
			if st := p.Stats(); st.Replaced != 1 || len(st.Spawns) != 3 || st.Starts != 3 {
				t.Fatalf("replaced %d, spawns %d, starts %d; want 1, 3 and 3", st.Replaced, len(st.Spawns), st.Starts)
			}
		})
	}
}

// lostWithWorker reports whether err fails a task that finished in the dead
// worker but whose result died unsent with it: it must fail (a task runs at
// most once), and so it may, beside the task that killed the worker.
func lostWithWorker(err error, died *WorkerDiedError) bool {
	var lost *WorkerDiedError
	return died != nil && errors.As(err, &lost) && lost.Finished && lost.PID == died.PID
}

func TestTaskTimeoutKillsTheWorker(t *testing.T) {
	p := newPool(t, 1, TaskTimeout(200*time.Millisecond))
	_, err := p.Apply(context.Background(), Task{Func: "test.sleep", Args: sleepArgs(time.Hour)})
	var te *TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "signal: killed") {
		t.Fatalf("hung task: %v", err)
	}
	if _, err := p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil {
		t.Fatalf("after timeout: %v", err)
	}
}

func TestMaxTasksPerChildRecyclesWorkers(t *testing.T) {
	p := newPool(t, 2, MaxTasksPerChild(3))
	var args [][]byte
	for range 18 {
		args = append(args, nil)
	}
	res, err := p.Map(context.Background(), "test.pid", args)
	if err != nil {
		t.Fatal(err)
	}
	perPID := map[int]int{}
	for _, r := range res {
		perPID[r.WorkerPID]++
	}
	if len(perPID) < 6 {
		t.Fatalf("18 tasks ran in %d workers, want at least 6 with 3 tasks each: %v", len(perPID), perPID)
	}
	for pid, n := range perPID {
		if n > 3 {
			t.Fatalf("worker %d ran %d tasks", pid, n)
		}
	}
}

func TestInitializerRunsInEveryWorker(t *testing.T) {
	p := newPool(t, 2, Initializer("test.init", []byte("ready")), MaxTasksPerChild(1))
	res, err := p.Map(context.Background(), "test.inited", make([][]byte, 6))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if string(r.Value) != "ready" {
			t.Fatalf("worker %d saw %q", r.WorkerPID, r.Value)
		}
	}
}

func TestOversizedTaskRefused(t *testing.T) {
	p := newPool(t, 1, MaxFrame(1024))
	_, err := p.ApplyAsync(Task{Func: "test.echo", Args: make([]byte, 2048)}, nil, nil)
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("2 KiB task with a 1 KiB limit: %v", err)
	}
}

func TestSpawnsAreRecorded(t *testing.T) {
	p := newPool(t, 3)
	waitReady(t, p, 3)
	// The scheduler's own count, read after the handshakes: a worker
	// cannot have used more CPU to get ready than it has used by now.
	procCPU := map[int]time.Duration{}
	for _, pid := range p.PIDs() {
		procCPU[pid] = schedstat.CPU(t, pid)
	}
	p.Close()
	p.Join() // New waits for one handshake; after Join every start is known
	st := p.Stats()
	if len(st.Spawns) != 3 || st.Starts != 3 || st.Ready != 3 {
		t.Fatalf("%d spawns listed, %d starts, %d ready; want 3", len(st.Spawns), st.Starts, st.Ready)
	}
	var sum, cpu time.Duration
	for _, s := range st.Spawns {
		if s.Duration <= 0 || s.CPU <= 0 || s.PID == 0 || s.Start.IsZero() {
			t.Fatalf("spawn %+v", s)
		}
		if s.CPU > procCPU[s.PID] {
			t.Fatalf("worker %d used %v to get ready, but the scheduler counts %v in all", s.PID, s.CPU, procCPU[s.PID])
		}
		sum += s.Duration
		cpu += s.CPU
	}
	if sum != st.StartTime || cpu != st.StartCPU {
		t.Fatalf("spawns sum to %v and %v of CPU, stats say %v and %v", sum, cpu, st.StartTime, st.StartCPU)
	}
}

// TestWorkersDieWithTheirParent kills a pool's owner with SIGKILL, which
// runs none of its code, and checks that its workers go too.
func TestWorkersDieWithTheirParent(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=owner")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("owner said nothing: %v", err)
	}
	var pids []int
	for _, f := range strings.Fields(line) {
		n, _ := strconv.Atoi(f)
		pids = append(pids, n)
	}
	if len(pids) != 2 {
		t.Fatalf("owner printed %q", line)
	}
	cmd.Process.Kill()
	cmd.Wait()
	// Generous: the deadline only bounds a failure, it is not a timing claim.
	deadline := time.Now().Add(time.Minute)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				syscall.Kill(pid, syscall.SIGKILL)
				t.Fatalf("worker %d outlived its parent", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
