package natspool

import (
	"context"
	"testing"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
)

// Each benchmark runs the local process pool and this pool side by side in
// one run, so that their ratio holds on a noisy machine:
//
//	BenchmarkApply       nats / local Apply round trip (target: at most 4x)
//	BenchmarkApplyAsync  ns per noop task with 2 workers (target: nats at most 25 us)
//	BenchmarkArticle     Pool(10), 100 x 50 ms through ApplyAsync: efficiency
//	                     = ideal / wall, pool start-up included (target: nats
//	                     at least 0.95), and nats-warm once the workers are up

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
	b.Run("local", func(b *testing.B) {
		var wall time.Duration
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
		}
		b.ReportMetric(float64(ideal)/(float64(wall)/float64(b.N)), "efficiency")
	})
	b.Run("nats", func(b *testing.B) {
		var wall time.Duration
		for b.Loop() {
			start := time.Now()
			p, err := New(workers)
			if err != nil {
				b.Fatal(err)
			}
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
