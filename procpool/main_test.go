package procpool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Test helpers the re-executed test binary runs as a worker or as a child.
const envChild = "PROCPOOL_TEST_CHILD"

var initValue string

func init() {
	must := func(name string, fn RawFunc) {
		if err := Register(name, fn); err != nil {
			panic(err)
		}
	}
	must("test.echo", func(a []byte) ([]byte, error) { return a, nil })
	// A function of the worker's that runs a name nobody registered: its
	// failure is its own, though the error is the lookup's.
	must("test.runs-missing", func([]byte) ([]byte, error) { return Run("no.such.plugin", nil) })
	must("test.noop", func([]byte) ([]byte, error) { return nil, nil })
	must("test.pid", func([]byte) ([]byte, error) { return []byte(strconv.Itoa(os.Getpid())), nil })
	must("test.gomaxprocs", func([]byte) ([]byte, error) { return []byte(strconv.Itoa(runtime.GOMAXPROCS(0))), nil })
	must("test.sleep", func(a []byte) ([]byte, error) {
		time.Sleep(time.Duration(binary.LittleEndian.Uint64(a)))
		return a, nil
	})
	must("test.hog", func(a []byte) ([]byte, error) {
		// A loop without calls: with asynchronous preemption off, nothing
		// else in this worker runs on its P until it ends.
		n, _ := strconv.Atoi(string(a))
		x := uint64(1)
		for i := 0; i < n; i++ {
			x = x*6364136223846793005 + uint64(i)
		}
		return []byte(strconv.FormatUint(x, 10)), nil
	})
	must("test.error", func(a []byte) ([]byte, error) { return nil, errors.New("bad input " + string(a)) })
	must("test.panic", func([]byte) ([]byte, error) { panic("boom") })
	must("test.panic-lines", func([]byte) ([]byte, error) { panic("first\nsecond") })
	must("test.exit", func(a []byte) ([]byte, error) {
		code, _ := strconv.Atoi(string(a))
		os.Exit(code)
		return nil, nil
	})
	must("test.sigkill", func([]byte) ([]byte, error) {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	})
	must("test.interrupt", func([]byte) ([]byte, error) {
		return nil, syscall.Kill(os.Getpid(), syscall.SIGINT)
	})
	must("test.garbage", func([]byte) ([]byte, error) {
		// Write a frame header claiming 1 GiB straight onto the result pipe.
		os.NewFile(workerResultFD, "results").Write([]byte{0, 0, 0, 0x40, kindResult})
		select {}
	})
	must("test.init", func(a []byte) ([]byte, error) {
		if string(a) == "fail" {
			return nil, errors.New("refused")
		}
		initValue = string(a)
		return nil, nil
	})
	must("test.inited", func([]byte) ([]byte, error) { return []byte(initValue), nil })
	must("test.initkeep", func(a []byte) ([]byte, error) { keptArgs = a; return nil, nil })
	must("test.kept", func([]byte) ([]byte, error) { return keptArgs, nil })
	must("test.print", func(a []byte) ([]byte, error) {
		_, err := fmt.Printf("line %s\n", a) // an error (EPIPE) is fine; dying is not
		return nil, err
	})
	must("test.mark", func(a []byte) ([]byte, error) {
		// Append one line to the file named by a: a side effect that
		// shows how often the task ran.
		f, err := os.OpenFile(string(a), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		_, err = f.WriteString("ran\n")
		return nil, err
	})
	must("test.subprocess", func(a []byte) ([]byte, error) {
		// Start a long-lived subprocess, write its pid to the file named
		// after the mode, then exit 3. Mode "pass" hands it the result
		// pipe on purpose, as a careless task could.
		mode, pidFile, _ := strings.Cut(string(a), ":")
		cmd := exec.Command("sleep", "3600")
		if mode == "pass" {
			cmd.ExtraFiles = []*os.File{os.NewFile(workerResultFD, "results")}
		}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
			return nil, err
		}
		os.Exit(3)
		return nil, nil
	})
}

// keptArgs is what test.initkeep kept, without copying.
var keptArgs []byte

// envFailStarts names a file holding how many worker starts should still
// fail: a worker that reads a positive count decrements it and exits 1
// before serving, as a transient start failure would ("all": every start
// fails).
const envFailStarts = "PROCPOOL_TEST_FAIL_STARTS"

func failStartIfTold() {
	path := os.Getenv(envFailStarts)
	if role, _, _ := strings.Cut(os.Getenv(EnvRole), ":"); path == "" || role != RoleWorker {
		return
	}
	if path == "all" {
		os.Exit(1)
	}
	data, _ := os.ReadFile(path)
	if n, _ := strconv.Atoi(strings.TrimSpace(string(data))); n > 0 {
		os.WriteFile(path, []byte(strconv.Itoa(n-1)), 0o600)
		os.Exit(1)
	}
}

func TestMain(m *testing.M) {
	failStartIfTold()
	if served, err := ServeRole(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if mode := os.Getenv(envChild); mode != "" {
		os.Exit(runChild(mode))
	}
	// Race-built children would each sleep a second on exit, which only
	// slows the tests down.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			code = 1
		}
		if kids := childPIDs(os.Getpid()); len(kids) > 0 {
			fmt.Fprintln(os.Stderr, "child processes outlived the tests:", kids)
			code = 1
		}
	}
	os.Exit(code)
}

// runChild is the test binary acting as a plain child process.
func runChild(mode string) int {
	switch mode {
	case "noop":
		return 0
	case "echo":
		// Echo 16-byte messages: the far end of the pipe ping-pong benchmark.
		var buf [16]byte
		for {
			if _, err := io.ReadFull(os.Stdin, buf[:]); err != nil {
				return 0
			}
			if _, err := os.Stdout.Write(buf[:]); err != nil {
				return 1
			}
		}
	case "echo-mib":
		// Echo 1 MiB messages: the far end of BenchmarkPayloadEcho's pipe.
		buf := make([]byte, 1<<20)
		for {
			if _, err := io.ReadFull(os.Stdin, buf); err != nil {
				return 0
			}
			if _, err := os.Stdout.Write(buf); err != nil {
				return 1
			}
		}
	case "exit-with-open-pool":
		// Map on a pool of one, print its worker's pid and return from
		// main with the pool still open.
		p, err := New(1)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, err := p.Map(context.Background(), "test.echo", make([][]byte, 10)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(strings.Trim(fmt.Sprint(p.PIDs()), "[]"))
		return 0
	case "owner":
		// Own a pool, print its workers' pids, then wait to be killed.
		p, err := New(2)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(strings.Trim(fmt.Sprint(p.PIDs()), "[]"))
		select {}
	}
	fmt.Fprintln(os.Stderr, "unknown child mode", mode)
	return 2
}

// childPIDs lists the live (not zombie) children of pid, and zombies too,
// since a zombie is a child nobody reaped.
func childPIDs(pid int) []int {
	var kids []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			n, _ := strconv.Atoi(f)
			kids = append(kids, n)
		}
	}
	return kids
}

func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// A zombie has state Z after the command name.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func sleepArgs(d time.Duration) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(d)) }

// newPool starts a pool that is terminated and joined when the test ends.
func newPool(t testing.TB, workers int, opts ...Option) *Pool {
	t.Helper()
	p, err := New(workers, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Terminate()
		if err := p.Join(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// waitRunning waits until n of the pool's workers have started a task, as
// their shared pages say: the event itself, not a guess at how long a start
// takes.
func waitRunning(t testing.TB, p *Pool, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		running := 0
		p.mu.Lock()
		for _, pr := range p.procs {
			if id, _ := pr.current.get(); id != 0 {
				running++
			}
		}
		p.mu.Unlock()
		if running >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d workers running a task after a minute", running, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitReady waits until n workers have completed their ready handshake.
func waitReady(t testing.TB, p *Pool, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ready := 0
		p.mu.Lock()
		for _, pr := range p.procs {
			if pr.isReady {
				ready++
			}
		}
		p.mu.Unlock()
		if ready >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d workers ready after a minute", ready, n)
		}
		time.Sleep(time.Millisecond)
	}
}
