package natspool

import (
	"context"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// freeLoopbackAddr is a loopback address with a port free at the time of
// the call, for a server that must come back on the same one.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// The external server restarts under a running pool: it costs the pool its
// workers, not its tasks: every task succeeds, on its second delivery at
// most, the pool serves tasks on the new server, and Join leaves no worker
// process behind.
func TestServerRestartUnderARunningPool(t *testing.T) {
	addr := freeLoopbackAddr(t)
	srv, err := StartServer(addr, false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(2, URL("nats://"+addr), WorkerOutput(io.Discard, io.Discard))
	if err != nil {
		srv.Shutdown()
		t.Fatal(err)
	}
	as, first := submitSleeps(t, p, 40)
	<-first // mid-run: a task is done, most are not
	srv.Shutdown()
	srv, err = StartServer(addr, false)
	if err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	defer srv.Shutdown() // after the pool's Join
	const bound = 30 * time.Second
	deadline := time.Now().Add(bound)
	ok, failed := 0, 0
	for i, a := range as {
		_, err := a.GetTimeout(time.Until(deadline))
		switch {
		case err == ErrTimeout:
			t.Fatalf("task %d still pending %v after the restart", i, bound)
		case err != nil || a.Result().Deliveries > 2:
			failed++
			t.Errorf("task %d: %v after %d deliveries", i, err, a.Result().Deliveries)
		default:
			ok++
		}
	}
	t.Logf("%d tasks done, %d failed across the restart", ok, failed)
	// The restart cut off both workers: each was replaced.
	if got := p.Stats().Replaced; got < 2 {
		t.Errorf("%d workers replaced across the restart, want at least 2", got)
	}
	r, err := p.Apply(context.Background(), Task{Func: "test.echo", Args: []byte("after")})
	if err != nil || string(r.Value) != "after" {
		t.Errorf("a task after the restart: %q, %v", r.Value, err)
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	if kids := childPIDs(os.Getpid()); len(kids) > 0 {
		t.Fatalf("worker processes left after Join: %v", kids)
	}
}

// The same restart under a pool served only by another host's workers
// (ServeHost): they go with the server, and the host, once back, starts
// new ones for the pool, which gets every task done.
func TestServerRestartUnderARemoteOnlyPool(t *testing.T) {
	addr := freeLoopbackAddr(t)
	srv, err := StartServer(addr, false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown() }()
	p := newPool(t, 0, URL("nats://"+addr), Heartbeat(50*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	hostDone := make(chan error, 1)
	go func() {
		hostDone <- ServeHost(ctx, HostConfig{URL: "nats://" + addr, Procs: 2, Args: []string{"-test.run=^$"}, Path: os.Args[0]})
	}()
	defer func() {
		cancel()
		if err := <-hostDone; err != nil {
			t.Error(err)
		}
	}()
	if err := p.WaitWorkers(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	as, first := submitSleeps(t, p, 20)
	<-first
	srv.Shutdown()
	if srv, err = StartServer(addr, false); err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for i, a := range as {
		if _, err := a.GetTimeout(time.Until(deadline)); err == ErrTimeout {
			t.Fatalf("task %d still pending 30s after the restart", i)
		} else if err != nil || a.Result().Deliveries > 2 {
			t.Errorf("task %d: %v after %d deliveries", i, err, a.Result().Deliveries)
		}
	}
}

// submitSleeps submits n tasks of 20 ms to p and returns their handles and
// a channel that receives once the first of them is done.
func submitSleeps(t *testing.T, p *Pool, n int) ([]*AsyncResult, <-chan struct{}) {
	t.Helper()
	first := make(chan struct{}, 1)
	note := func(Result) {
		select {
		case first <- struct{}{}:
		default:
		}
	}
	var as []*AsyncResult
	for range n {
		a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(20 * time.Millisecond)}, note, note)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	return as, first
}

// Back on a restarted server, the owner sends nothing to a worker it has
// not heard from since: those of the old server went with it. Here one of
// two old workers is idle when the owner is back; a task submitted then
// waits for a worker of the new server, where it runs on its first
// delivery, and the busy one's task on its second.
func TestOwnerBackOnARestartedServerSendsNothingToTheOldWorkers(t *testing.T) {
	drainInProcessStarted()
	addr := freeLoopbackAddr(t)
	srv, err := StartServer(addr, false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown() }()
	url := "nats://" + addr
	p := newPool(t, 0, URL(url), Heartbeat(20*time.Millisecond), Prefetch(0))
	stopA, servedA := inProcessWorker(t, url, p.ID(), "a")
	defer stopA()
	stopB, servedB := inProcessWorker(t, url, p.ID(), "b")
	defer stopB()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.WaitWorkers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	busy, err := p.ApplyAsync(Task{Func: "test.in-process-start", Args: sleepArgs(100 * time.Millisecond)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-inProcessStarted
	srv.Shutdown()
	if srv, err = StartServer(addr, false); err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	<-servedA
	<-servedB
	for !p.nc.IsConnected() {
		if ctx.Err() != nil {
			t.Fatal("the owner never reconnected")
		}
		time.Sleep(time.Millisecond)
	}
	fresh, err := p.ApplyAsync(Task{Func: "test.echo"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stopC, servedC := inProcessWorker(t, url, p.ID(), "c")
	defer func() { stopC(); <-servedC }()
	if _, err := fresh.Get(ctx); err != nil || deliveries(fresh) != 1 {
		t.Fatalf("a task submitted once the owner was back: %v after %d deliveries, want success on the first", err, deliveries(fresh))
	}
	if _, err := busy.Get(ctx); err != nil || deliveries(busy) != 2 {
		t.Fatalf("the old worker's task: %v after %d deliveries, want success on the second", err, deliveries(busy))
	}
}
