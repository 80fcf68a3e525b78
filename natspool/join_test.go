package natspool

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"go.uber.org/goleak"
)

// Join returns only once every task is delivered, even for a pool with no
// local workers, whose Join has no worker exits to wait for: the last
// result, and the tasks a Terminate fails while Join waits, are handed over
// before the drain that releases Join, so none is found undelivered, or
// lost, after it. (The race it guards against is narrow: without the
// ordering it failed about once in 90 runs.)
func TestJoinFindsEveryTaskDelivered(t *testing.T) {
	url := serverAndHost(t, 1, nil)
	for round := range 15 {
		p, err := New(0, URL(url))
		if err != nil {
			t.Fatal(err)
		}
		wait, cancelWait := context.WithTimeout(context.Background(), 30*time.Second)
		err = p.WaitWorkers(wait, 1)
		cancelWait()
		if err != nil {
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
		p.Close()
		if round%3 == 2 {
			// Terminated while a Join waits: the tasks fail, or finish first.
			joined := make(chan error, 1)
			go func() { joined <- p.Join() }()
			p.Terminate()
			err = <-joined
		} else {
			err = p.Join()
		}
		if err != nil {
			t.Fatal(err)
		}
		if !plain.Ready() || !called.Ready() {
			t.Fatalf("round %d: after Join, ready: %v without a callback, %v with one", round, plain.Ready(), called.Ready())
		}
	}
}

// A pool terminated and never joined, as `defer p.Terminate()` leaves one,
// keeps nothing running: no goroutine of its own, no connection, no
// embedded server listening.
func TestTerminateWithoutJoinLeavesNothingRunning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p, err := New(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil {
		t.Fatal(err)
	}
	p.Terminate()
	if !p.nc.IsClosed() {
		t.Error("the pool's connection is still open")
	}
	if p.srv.ns.Running() {
		t.Error("the embedded server still runs")
	}
}

// Terminate may be called from a callback, as procpool's may, and so by two
// goroutines at once: each returns, and only once the pool has stopped
// its server.
func TestTerminateFromACallbackAndTwice(t *testing.T) {
	p, err := New(1)
	if err != nil {
		t.Fatal(err)
	}
	url := p.URL()
	returned := make(chan struct{})
	if _, err := p.ApplyAsync(Task{Func: "test.echo"}, func(Result) {
		p.Terminate()
		close(returned)
	}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-returned:
	case <-time.After(30 * time.Second):
		t.Fatal("Terminate called from a callback did not return in 30 s")
	}
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	if nc, err := nats.Connect(url, nats.NoReconnect()); err == nil {
		nc.Close()
		t.Error("after a Terminate from a callback, the server still takes connections")
	}

	p, err = New(1)
	if err != nil {
		t.Fatal(err)
	}
	url = p.URL()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			p.Terminate()
			if nc, err := nats.Connect(url, nats.NoReconnect()); err == nil {
				nc.Close()
				t.Error("a Terminate returned while the server still took connections")
			}
		})
	}
	wg.Wait()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
}
