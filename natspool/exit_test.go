package natspool

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ownLocalWorkers is the "owner-local" child (see runChild).
func ownLocalWorkers(url string) int {
	var opts []Option
	if url != "" {
		opts = append(opts, URL(url))
	}
	p, err := New(2, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := p.WaitWorkers(context.Background(), 2); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for range 2 {
		if _, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Minute)}, nil, nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fmt.Println(strings.Trim(fmt.Sprint(p.PIDs()), "[]"))
	select {}
}

// procState is the state letter of pid in /proc ("" once it is gone) and
// its parent.
func procState(pid int) (state string, ppid int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0
	}
	// pid (comm) state ppid ...: comm may hold spaces, so cut after ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 2 {
		return "", 0
	}
	ppid, _ = strconv.Atoi(f[1])
	return f[0], ppid
}

// Ctrl-C in a terminal sends SIGINT to the owner's whole process group:
// the workers ignore it, the owner dies of it, and the workers, mid-task,
// die with their owner. None is left running. With the embedded server,
// the server goes with the owner and so do the workers' connections; with
// an external one only the parent-death signal ends them.
func TestCtrlCOfTheOwnerLeavesNoWorker(t *testing.T) {
	srv, err := StartServer("", false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	t.Run("embedded", func(t *testing.T) { ctrlCOwner(t, "") })
	t.Run("external", func(t *testing.T) { ctrlCOwner(t, srv.ClientURL()) })
}

func ctrlCOwner(t *testing.T, url string) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=owner-local "+url)
	cmd.Stderr = os.Stderr
	// A group of its own, as a shell gives a foreground job.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	defer func() {
		cmd.Process.Kill()
		if err := <-exited; err == nil {
			t.Error("the owner exited cleanly, want death by SIGINT")
		}
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	// Read before Wait closes the pipe.
	go func() { exited <- cmd.Wait() }()
	if err != nil {
		t.Fatalf("owner said %q: %v", line, err)
	}
	// A pidfd per worker, taken while it is the owner's child: it
	// names that process even if the pid is reused, and polls readable
	// when it exits.
	fds := map[int]int{}
	defer func() {
		for pid, fd := range fds {
			if state, _ := procState(pid); state != "" && state != "Z" {
				unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0) // a failed run leaves nothing either
			}
			unix.Close(fd)
		}
	}()
	for _, f := range strings.Fields(line) {
		pid, _ := strconv.Atoi(f)
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			t.Fatalf("pidfd of worker %d: %v", pid, err)
		}
		fds[pid] = fd
		if state, ppid := procState(pid); state == "" || state == "Z" || ppid != cmd.Process.Pid {
			t.Fatalf("worker %d: state %q, parent %d, want a live child of the owner %d", pid, state, ppid, cmd.Process.Pid)
		}
	}
	if len(fds) != 2 {
		t.Fatalf("owner printed %q, want two worker pids", line)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the deferred check
	case <-time.After(30 * time.Second):
		t.Fatal("owner still running 30s after SIGINT")
	}
	// Each worker exits (then it is gone, or a zombie waiting for init).
	deadline := time.Now().Add(10 * time.Second)
	for pid, fd := range fds {
		for {
			n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, int(max(time.Until(deadline), 0)/time.Millisecond))
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				state, ppid := procState(pid)
				t.Fatalf("worker %d still in state %s (parent %d) 10s after its owner died of SIGINT", pid, state, ppid)
			}
			break
		}
		if state, _ := procState(pid); state != "" && state != "Z" {
			t.Fatalf("worker %d exited but /proc shows it in state %s", pid, state)
		}
	}
}

// pidfds opens a pidfd on each pid; they are closed when the test ends.
func pidfds(t *testing.T, pids []int) []int {
	t.Helper()
	var fds []int
	for _, pid := range pids {
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			t.Fatalf("pidfd of %d: %v", pid, err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		fds = append(fds, fd)
	}
	return fds
}

// A closed pool with nothing queued lets its idle workers go at once,
// while a task still runs on another.
func TestClosedPoolLetsIdleWorkersGo(t *testing.T) {
	p := newPool(t, 2)
	if err := p.WaitWorkers(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	pids := p.PIDs()
	fds := pidfds(t, pids)
	release := filepath.Join(t.TempDir(), "go")
	a, err := p.ApplyAsync(Task{Func: "test.wait-file", Args: []byte(release)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	polls := []unix.PollFd{{Fd: int32(fds[0]), Events: unix.POLLIN}, {Fd: int32(fds[1]), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(polls, 30_000)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n != 1 {
			t.Fatalf("poll of the workers: %d exited, %v; want the idle one alone within 30s", n, err)
		}
		break
	}
	if a.Ready() {
		t.Fatal("the task finished before the release")
	}
	os.WriteFile(release, nil, 0o644)
	v, err := a.Get(context.Background())
	idle := pids[0]
	if polls[0].Revents == 0 {
		idle = pids[1]
	}
	if err != nil || string(v) == strconv.Itoa(idle) {
		t.Fatalf("task: %q, %v; the idle worker was %d", v, err, idle)
	}
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
}
