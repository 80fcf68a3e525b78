package natspool

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Join returns only once every task is delivered, even for a pool with no
// local workers, whose Join has no worker exits to wait for: the last
// result, and the tasks a Terminate fails while Join waits, are handed over
// before the drain that releases Join, so none is found undelivered, or
// lost, after it. (The race it guards against is narrow: without the
// ordering it failed about once in 90 runs.)
func TestJoinFindsEveryTaskDelivered(t *testing.T) {
	url := serverAndHost(t, nil)
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
