package natspool

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
)

// Each benchmark runs the local process pool and this pool side by side in
// one run, so that their ratio holds on a noisy machine:
//
//	BenchmarkApply       nats / local Apply round trip (target: at most 4x),
//	                     and core: the same two trips through the server
//	                     with nothing of the pool around them
//	BenchmarkApplyAsync  ns per noop task with 2 workers (target: nats at most 25 us)
//	BenchmarkArticle     Pool(10), 100 x 50 ms through ApplyAsync: efficiency
//	                     = ideal / wall, pool start-up included (target: nats
//	                     at least 0.95), with workers of this test binary
//	                     (nats: linked dynamically when cgo is on) and of a
//	                     static lean worker binary (nats-lean), and
//	                     nats-warm once the workers are up

func BenchmarkApply(b *testing.B) {
	ctx := context.Background()
	t := Task{Func: workloads.NoopName}
	b.Run("local", func(b *testing.B) {
		p := newLocalPool(b, 2)
		for b.Loop() {
			if _, err := p.Apply(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("nats", func(b *testing.B) {
		p := newPool(b, 2)
		for b.Loop() {
			if _, err := p.Apply(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same two trips through an embedded server with nothing of the
	// pool around them, what the broker alone costs: the owner connected
	// in process, as the pool's owner is, an echo child over loopback TCP,
	// as a worker is, and the answer received straight from nats.go's
	// reader on a channel (the pool's goes through its subscription's
	// goroutine, which completes the handle).
	b.Run("core", func(b *testing.B) {
		nc := echoConn(b)
		inbox := nats.NewInbox()
		answers := make(chan *nats.Msg, 1)
		sub, err := nc.ChanSubscribe(inbox, answers)
		if err != nil {
			b.Fatal(err)
		}
		defer sub.Unsubscribe()
		msg := []byte{0}
		for b.Loop() {
			if err := nc.PublishRequest(echoSubject, inbox, msg); err != nil {
				b.Fatal(err)
			}
			<-answers
		}
	})
}

// echoConn starts an embedded server and an echo child (the test binary)
// on it, and returns an in-process connection to the server; the child
// exits when the server shuts down, as the benchmark ends.
func echoConn(b *testing.B) *nats.Conn {
	b.Helper()
	srv, err := StartServer("", false)
	if err != nil {
		b.Fatal(err)
	}
	var nc *nats.Conn
	var child *exec.Cmd
	b.Cleanup(func() {
		if nc != nil {
			nc.Close()
		}
		srv.Shutdown() // the child's connection closes, and it exits
		if child != nil {
			if err := child.Wait(); err != nil {
				b.Error("echo child:", err)
			}
		}
	})
	cmd := exec.Command(os.Args[0])
	// With one P, as the pool's workers run (workerEnviron).
	cmd.Env = append(os.Environ(), envChild+"=echo "+srv.ClientURL(), "GOMAXPROCS=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	child = cmd
	if nc, err = srv.Conn(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		b.Fatalf("echo child said %q: %v", line, err)
	}
	return nc
}

func BenchmarkApplyAsync(b *testing.B) {
	t := Task{Func: workloads.NoopName}
	b.Run("local", func(b *testing.B) {
		p := newLocalPool(b, 2)
		b.ResetTimer()
		for range b.N {
			if _, err := p.ApplyAsync(t, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		p.Close()
		if err := p.Join(); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("nats", func(b *testing.B) {
		p := newPool(b, 2)
		b.ResetTimer()
		for range b.N {
			if _, err := p.ApplyAsync(t, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		p.Close()
		if err := p.Join(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkArticle is the article's example end to end, pool start-up
// included, as a program that makes a pool to run its tasks pays it.
func BenchmarkArticle(b *testing.B) {
	const (
		workers = 10
		tasks   = 100
		sleep   = 50 * time.Millisecond
	)
	ideal := time.Duration(tasks/workers) * sleep
	args := func(i int) []byte { return workloads.Args(uint64(sleep), uint64(i)) }
	// The local pool's ready-ms too: both pools start the same ten
	// processes of this binary.
	b.Run("local", func(b *testing.B) {
		var wall, ready time.Duration
		for b.Loop() {
			start := time.Now()
			p, err := procpool.New(workers)
			if err != nil {
				b.Fatal(err)
			}
			for i := range tasks {
				if _, err := p.ApplyAsync(procpool.Task{Func: workloads.IOName, Args: args(i)}, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			p.Close()
			p.Join()
			wall += time.Since(start)
			var lastReady time.Duration
			for _, s := range p.Stats().Spawns {
				lastReady = max(lastReady, s.Start.Add(s.Duration).Sub(start))
			}
			ready += lastReady
		}
		b.ReportMetric(float64(ideal)/(float64(wall)/float64(b.N)), "efficiency")
		b.ReportMetric(float64(ready.Microseconds())/1e3/float64(b.N), "ready-ms")
	})
	// Where the time beyond the ideal goes: ready-ms is until the last
	// worker was ready (its start), tail-ms from the last result to Join's
	// return (the workers' exits, the server's shutdown); the rest is the
	// trips between tasks and the tasks' own overshoot; start-cpu-ms is
	// the CPU a worker used to get ready, on average. nats starts its
	// workers from this test binary, which carries nats-server and every
	// package the tests import, and which go test links dynamically when
	// cgo is on; nats-lean from a static worker binary that carries only
	// the worker side (natsworker), as a program that wants its pool up
	// quickly would. They differ in what they link and in how; neither is
	// poolbench, which a run re-executes without poolbench-natsworker.
	run := func(b *testing.B, opts ...Option) {
		var wall, ready, tail, cpu time.Duration
		var starts int
		for b.Loop() {
			start := time.Now()
			p, err := New(workers, opts...)
			if err != nil {
				b.Fatal(err)
			}
			as := make([]*AsyncResult, tasks)
			for i := range tasks {
				if as[i], err = p.ApplyAsync(Task{Func: workloads.IOName, Args: args(i)}, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			p.Close()
			p.Join()
			end := time.Now()
			wall += end.Sub(start)
			var last time.Time
			for _, a := range as {
				if err := a.Result().Err; err != nil {
					b.Fatal(err)
				}
				if d := a.Result().Delivered; d.After(last) {
					last = d
				}
			}
			tail += end.Sub(last)
			var lastReady time.Duration
			for _, s := range p.Stats().Spawns {
				lastReady = max(lastReady, s.Start.Add(s.Duration).Sub(start))
				cpu += s.CPU
				starts++
			}
			ready += lastReady
		}
		n := float64(b.N)
		b.ReportMetric(float64(ideal)/(float64(wall)/n), "efficiency")
		b.ReportMetric(float64(ready.Microseconds())/1e3/n, "ready-ms")
		b.ReportMetric(float64(tail.Microseconds())/1e3/n, "tail-ms")
		b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(max(starts, 1)), "start-cpu-ms")
	}
	b.Run("nats", func(b *testing.B) { run(b) })
	lean := buildLeanWorker(b)
	b.Run("nats-lean", func(b *testing.B) { run(b, Command(lean)) })
	// nats-warm starts the clock once all ten workers are ready: what the
	// broker costs the batch, apart from starting processes.
	b.Run("nats-warm", func(b *testing.B) {
		var wall time.Duration
		for b.Loop() {
			p, err := New(workers)
			if err != nil {
				b.Fatal(err)
			}
			if err := p.WaitWorkers(context.Background(), workers); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			for i := range tasks {
				if _, err := p.ApplyAsync(Task{Func: workloads.IOName, Args: args(i)}, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			p.Close()
			p.Join()
			wall += time.Since(start)
		}
		b.ReportMetric(float64(ideal)/(float64(wall)/float64(b.N)), "efficiency")
	})
}

func newLocalPool(b *testing.B, workers int) *procpool.Pool {
	b.Helper()
	p, err := procpool.New(workers)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		p.Terminate()
		p.Join()
	})
	return p
}
