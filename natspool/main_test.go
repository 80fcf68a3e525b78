package natspool

import (
	"context"
	"encoding/binary"
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

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
	"go.uber.org/goleak"
)

// envChild makes the test binary play a plain child process.
const envChild = "NATSPOOL_TEST_CHILD"

var initValue string

// inProcessStarted hears from test.in-process-start, run by a worker
// serving from a goroutine of the test process.
var inProcessStarted = make(chan struct{}, 16)

func init() {
	must := func(name string, fn workloads.Func) {
		if err := workloads.RegisterFunc(name, fn); err != nil {
			panic(err)
		}
	}
	must("test.echo", func(a []byte) ([]byte, error) { return a, nil })
	must("test.pid", func([]byte) ([]byte, error) { return []byte(strconv.Itoa(os.Getpid())), nil })
	must("test.sleep", func(a []byte) ([]byte, error) {
		time.Sleep(time.Duration(binary.LittleEndian.Uint64(a)))
		return a, nil
	})
	must("test.in-process-start", func(a []byte) ([]byte, error) {
		inProcessStarted <- struct{}{}
		time.Sleep(time.Duration(binary.LittleEndian.Uint64(a)))
		return a, nil
	})
	// test.wait-file runs until the file it names exists (30s at most).
	must("test.wait-file", func(a []byte) ([]byte, error) {
		for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(string(a)); err == nil {
				return []byte(strconv.Itoa(os.Getpid())), nil
			}
		}
		return nil, errors.New("no file " + string(a))
	})
	must("test.error", func(a []byte) ([]byte, error) { return nil, errors.New("bad input " + string(a)) })
	must("test.panic", func([]byte) ([]byte, error) { panic("boom") })
	must("test.panic-lines", func([]byte) ([]byte, error) { panic("first\nsecond") })
	// A function of the worker's that runs a name nobody registered: its
	// failure is its own, though the error is the lookup's.
	must("test.runs-missing", func([]byte) ([]byte, error) { return procpool.Run("no.such.plugin", nil) })
	must("test.big", func(a []byte) ([]byte, error) { return make([]byte, 2<<20), nil })
	must("test.sized", func(a []byte) ([]byte, error) { return make([]byte, binary.LittleEndian.Uint64(a)), nil })
	must("test.sigkill", func([]byte) ([]byte, error) {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	})
	// test.sigkill-once kills its worker the first time it runs (it leaves
	// a mark in the directory it is given), then succeeds.
	must("test.sigkill-once", func(a []byte) ([]byte, error) {
		mark := filepath.Join(string(a), "ran")
		if _, err := os.Stat(mark); err != nil {
			os.WriteFile(mark, nil, 0o644)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		return []byte("second time"), nil
	})
	// test.mark-sigkill leaves a file in the directory it is given, one
	// per run, and kills its worker.
	must("test.mark-sigkill", func(a []byte) ([]byte, error) {
		if f, err := os.CreateTemp(string(a), "run"); err == nil {
			f.Close()
		}
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	})
	// test.init-needs-env fails in a worker whose environment lacks
	// NATSPOOL_TEST_INIT_OK (a host's, unlike a pool's given Env).
	must("test.init-needs-env", func([]byte) ([]byte, error) {
		if os.Getenv("NATSPOOL_TEST_INIT_OK") == "" {
			return nil, errors.New("this host lacks NATSPOOL_TEST_INIT_OK")
		}
		return nil, nil
	})
	must("test.init-slow", func(a []byte) ([]byte, error) {
		time.Sleep(time.Duration(binary.LittleEndian.Uint64(a)))
		return nil, nil
	})
	must("test.init", func(a []byte) ([]byte, error) {
		if string(a) == "fail" {
			return nil, errors.New("refused")
		}
		initValue = string(a)
		return nil, nil
	})
	must("test.inited", func([]byte) ([]byte, error) { return []byte(initValue), nil })
	must("test.gomaxprocs", func([]byte) ([]byte, error) { return []byte(strconv.Itoa(runtime.GOMAXPROCS(0))), nil })
}

func TestMain(m *testing.M) {
	// The benchmarks run the local process pool beside this one.
	if served, err := procpool.ServeRole(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if mode := os.Getenv(envChild); mode != "" {
		os.Exit(runChild(mode))
	}
	// Race-built children would each sleep a second on exit.
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

// runChild is the test binary as a plain child: "echo URL" answers core
// requests on echoSubject at URL until its connection closes; "owner URL" owns a pool
// on the server at URL with no local workers, prints its id, runs one task
// on whichever worker joins, says so, and waits to be killed; "owner-local"
// owns a pool of two local workers on its embedded server, gives each a
// long task, prints their pids, and waits to be stopped ("owner-local URL":
// on the server at URL).
func runChild(mode string) int {
	if url, ok := strings.CutPrefix(mode, "echo "); ok {
		return echo(url)
	}
	if url, ok := strings.CutPrefix(mode, "owner-local"); ok {
		return ownLocalWorkers(strings.TrimSpace(url))
	}
	if url, ok := strings.CutPrefix(mode, "owner "); ok {
		p, err := New(0, URL(url), Heartbeat(20*time.Millisecond))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(p.ID())
		if _, err := p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("served")
		select {}
	}
	fmt.Fprintln(os.Stderr, "unknown child mode", mode)
	return 2
}

// echoSubject is where an echo child answers requests.
const echoSubject = "natspool.test.echo"

// echo answers every request on echoSubject with its own data, as a
// worker answers a noop task but with nothing of the pool's around it,
// until the server goes.
func echo(url string) int {
	closed := make(chan struct{})
	nc, err := nats.Connect(url, nats.NoReconnect(), nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := nc.Subscribe(echoSubject, func(m *nats.Msg) { m.Respond(m.Data) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := nc.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	<-closed
	return 0
}

// childPIDs lists the children of pid, zombies included.
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

func sleepArgs(d time.Duration) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(d)) }

// serverConn starts an embedded server listening on addr ("" for a random
// loopback port) and connects to it in process, as a pool's owner does;
// both end with the test (a test may shut the server down before).
func serverConn(t testing.TB, addr string) (*Server, *nats.Conn) {
	t.Helper()
	srv, err := StartServer(addr, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := srv.Conn()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return srv, nc
}

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
