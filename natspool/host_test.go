package natspool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/natspool/internal/wire"
)

// ServeHost gives up once the server is out of reach longer than its
// grace, and says which way: a server it served on and lost is
// ErrServerLost; an address where no server ever answered (a wrong port,
// a typo) says so rather than calling it lost.
func TestServeHostGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start bool // a server is there at first, then shut down
		lost  bool
		want  string
	}{
		{"never reached", false, false, "no server answered at"},
		{"reached, then lost", true, true, "lost the server at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeLoopbackAddr(t)
			var srv *Server
			var asked chan *nats.Msg // a host's requests for pools: it is connected
			if tc.start {
				var nc *nats.Conn
				srv, nc = serverConn(t, addr)
				asked = make(chan *nats.Msg, 8)
				if _, err := nc.ChanSubscribe(wire.SubjectDiscover, asked); err != nil {
					t.Fatal(err)
				}
				if err := nc.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan error, 1)
			go func() {
				done <- ServeHost(context.Background(), HostConfig{
					URL: "nats://" + addr, Procs: 1, Path: os.Args[0],
					Args: []string{"-test.run=^$"}, Grace: 300 * time.Millisecond,
				})
			}()
			if srv != nil {
				select { // the host connects before the server goes
				case <-asked:
				case <-time.After(30 * time.Second):
					t.Fatal("the host did not connect in 30 s")
				}
				srv.Shutdown()
			}
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrServerLost) != tc.lost {
					t.Fatalf("ServeHost: %v; want an error saying %q, ErrServerLost %v", err, tc.want, tc.lost)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("ServeHost still running 30 s after the server went")
			}
		})
	}
}

// A pool that only a host serves keeps its workers: one stopped past the
// task timeout is stopped mid-task, not after its task, and one killed by
// its task is given up on; each time the host starts another in its
// place, and the next task runs there.
func TestHostReplacesTheWorkersItsPoolLost(t *testing.T) {
	var events lockedBuffer
	url := serverAndHost(t, 1, &events)
	p, err := New(0, URL(url), TaskTimeout(300*time.Millisecond), MaxDeliver(1))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		p.Terminate()
		p.Join()
	}()
	wait, cancelWait := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelWait()
	if err := p.WaitWorkers(wait, 1); err != nil {
		t.Fatal(err)
	}
	next := func(after string) int {
		t.Helper()
		r, err := p.Apply(wait, Task{Func: "test.pid"})
		if err != nil {
			t.Fatalf("the task after %s: %v (host: %s)", after, err, events.String())
		}
		pid, _ := strconv.Atoi(string(r.Value))
		return pid
	}
	first := next("none")

	_, err = p.Apply(wait, Task{Func: "test.sleep", Args: sleepArgs(time.Hour)})
	var timeout *TimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("a task past its timeout: %v, want a TimeoutError", err)
	}
	// Told to go mid-task: it ends long before its hour.
	for !strings.Contains(events.String(), fmt.Sprintf("worker %d ended", first)) {
		if wait.Err() != nil {
			t.Fatalf("the worker that ran past its timeout never ended (host: %s)", events.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	second := next("a timeout")
	if second == first {
		t.Fatalf("the task after a timeout ran in the stopped worker %d", first)
	}

	var lost *WorkerLostError
	if _, err := p.Apply(wait, Task{Func: "test.sigkill"}); !errors.As(err, &lost) {
		t.Fatalf("a task that kills its worker: %v, want a WorkerLostError", err)
	}
	if third := next("a lost worker"); third == second {
		t.Fatalf("the task after a loss ran in the killed worker %d", second)
	}
	if n := strings.Count(events.String(), "in place of a lost one"); n != 2 {
		t.Errorf("%d replacements, want 2 (host: %s)", n, events.String())
	}
}

// serverAndHost starts a server listening on loopback and a host serving
// its pools with procs worker processes each (this test binary), writing its
// events to events if set, and returns the server's URL; both stop when
// the test ends, the host first.
func serverAndHost(t *testing.T, procs int, events io.Writer) string {
	t.Helper()
	addr := freeLoopbackAddr(t)
	srv, err := StartServer(addr, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	ctx, cancel := context.WithCancel(context.Background())
	hostDone := make(chan error, 1)
	go func() {
		hostDone <- ServeHost(ctx, HostConfig{URL: "nats://" + addr, Procs: procs, Args: []string{"-test.run=^$"}, Path: os.Args[0], Events: events})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-hostDone; err != nil {
			t.Error(err)
		}
	})
	return "nats://" + addr
}

// lockedBuffer is a bytes.Buffer that goroutines may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A host's worker whose initializer fails there is not replaced (it would
// fail again, for ever), and its owner hears why in Stats; the pool runs
// on its own workers meanwhile.
func TestHostWorkerThatCannotStartIsNotReplaced(t *testing.T) {
	var events lockedBuffer
	url := serverAndHost(t, 1, &events)
	p := newPool(t, 1, URL(url), Initializer("test.init-needs-env", nil), Env("NATSPOOL_TEST_INIT_OK=1"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for p.Stats().Refused == 0 {
		if ctx.Err() != nil {
			t.Fatalf("no refusal counted (host: %s)", events.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := p.Map(ctx, "test.echo", make([][]byte, 20)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // a loop of starts would show by now
	st := p.Stats()
	if n := strings.Count(events.String(), "started"); n != 1 || st.Refused != 1 || !strings.Contains(st.RefusedErr.Error(), "this host lacks NATSPOOL_TEST_INIT_OK") {
		t.Fatalf("host started %d workers, pool counted %d refused (%v); want one of each, naming the initializer's error (host: %s)", n, st.Refused, st.RefusedErr, events.String())
	}
}

// A host asked for a worker in place of one its pool gave up on kills that
// one if it still runs and starts another, but never runs more than Procs
// for a pool: a request for a worker it no longer has (after a server
// restart it has started its Procs anew) starts none.
func TestHostReplacesWithinProcs(t *testing.T) {
	var events lockedBuffer
	url := serverAndHost(t, 1, &events)
	p := newPool(t, 0, URL(url))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.WaitWorkers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	w := p.live[0]
	hostID, id, pid := w.hostID, w.id, w.pid
	p.mu.Unlock()
	replace := func(id string) {
		b, _ := json.Marshal(wire.Replace{Pool: p.ID(), Worker: id})
		if err := p.nc.Publish(wire.HostSubject(hostID), b); err != nil {
			t.Fatal(err)
		}
		p.nc.Flush()
	}
	replace("no-such-worker") // the host has its Procs
	replace(id)
	for !strings.Contains(events.String(), fmt.Sprintf("worker %d ended", pid)) || !strings.Contains(events.String(), "in place of a lost one") {
		if ctx.Err() != nil {
			t.Fatalf("worker %d neither killed nor replaced (host: %s)", pid, events.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // an extra start would show by now
	if n := strings.Count(events.String(), "started"); n != 2 {
		t.Fatalf("host started %d workers, want 2: its first and one in its place (host: %s)", n, events.String())
	}
}

// A host's worker whose initializer runs longer than the silence a pool
// allows (here 1.5 s against at least 1 s) beats while it runs, so it is
// not given up on before it is ready: it serves.
func TestHostWorkerWithASlowInitializerServes(t *testing.T) {
	var events lockedBuffer
	url := serverAndHost(t, 1, &events)
	p := newPool(t, 0, URL(url), Initializer("test.init-slow", sleepArgs(1500*time.Millisecond)), Heartbeat(20*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.Apply(ctx, Task{Func: "test.echo"}); err != nil {
		t.Fatalf("a task for the slow starter: %v (host: %s)", err, events.String())
	}
	if strings.Contains(events.String(), "ended") {
		t.Fatalf("a worker ended (host: %s)", events.String())
	}
}

// A host that learns again of a pool it serves with fewer than Procs
// workers (a replacement the pool asked for was lost: the host was cut
// off) starts the missing ones. Here the pool's heartbeat is so slow it
// never misses the worker that dies, and the pool announces itself again,
// as it does when it reconnects.
func TestHostTopsUpAPoolItServes(t *testing.T) {
	var events lockedBuffer
	url := serverAndHost(t, 2, &events)
	p := newPool(t, 0, URL(url), Heartbeat(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.WaitWorkers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	pid := p.live[0].pid
	p.mu.Unlock()
	syscall.Kill(pid, syscall.SIGKILL)
	for !strings.Contains(events.String(), fmt.Sprintf("worker %d ended", pid)) {
		if ctx.Err() != nil {
			t.Fatalf("worker %d never ended (host: %s)", pid, events.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	info, _ := json.Marshal(wire.PoolInfo{ID: p.ID()})
	p.nc.Publish(wire.SubjectAnnounce, info)
	for strings.Count(events.String(), "started") < 3 {
		if ctx.Err() != nil {
			t.Fatalf("no worker started in place of the dead one (host: %s)", events.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // one too many would show by now
	if n := strings.Count(events.String(), "started"); n != 3 {
		t.Fatalf("host started %d workers, want 3: its two and one to top up (host: %s)", n, events.String())
	}
}
