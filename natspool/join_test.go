package natspool

import (
	"context"
	"os"
	"testing"
)

// Join returns only once every task is delivered, even for a pool with no
// local workers, whose Join has no worker exits to wait for: the last
// result, and the tasks Terminate fails, are handed over before the drain
// that releases Join, so none is found undelivered, or lost, after it.
func TestJoinFindsEveryTaskDelivered(t *testing.T) {
	addr := freeLoopbackAddr(t)
	srv, err := StartServer(addr, false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	hostDone := make(chan error, 1)
	go func() {
		hostDone <- ServeHost(ctx, HostConfig{URL: "nats://" + addr, Procs: 1, Args: []string{"-test.run=^$"}, Path: os.Args[0]})
	}()
	defer func() {
		cancel()
		if err := <-hostDone; err != nil {
			t.Error(err)
		}
	}()
	for round := range 15 {
		p, err := New(0, URL("nats://"+addr))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.WaitWorkers(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		plain, err := p.ApplyAsync(Task{Func: "test.echo", Args: []byte("plain")}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		called, err := p.ApplyAsync(Task{Func: "test.echo", Args: []byte("called")}, func(Result) {}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if round%3 == 2 {
			p.Terminate() // the tasks fail, or finish first
		} else {
			p.Close()
		}
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
		if !plain.Ready() || !called.Ready() {
			t.Fatalf("round %d: after Join, ready: %v without a callback, %v with one", round, plain.Ready(), called.Ready())
		}
	}
}
