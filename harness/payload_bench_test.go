package harness

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

// BenchmarkPayloadVsPipe moves 1 MiB in and 1 MiB out per task through
// pool-apply-async (2 workers, pool start-up included, as a run measures
// it) and, interleaved with it, the same bytes through a raw pipe to a
// child process; it reports both in MiB/s and their ratio (target: at
// least 0.5). warm-ratio is the same tasks through a pool started before
// the clock (ApplyAsync straight on procpool, no recorder): the IPC path
// alone, without the pool's start-up and the strategy's bookkeeping, with
// the same LendArgs and Recycle as the strategy.
func BenchmarkPayloadVsPipe(b *testing.B) {
	const tasks, size = 64, 1 << 20
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	w, err := workloads.Lookup(workloads.PayloadName)
	if err != nil {
		b.Fatal(err)
	}
	plan := strategies.Plan{
		Workload: w, Options: workloads.Options{Seed: 1, PayloadIn: size, PayloadOut: size},
		Tasks: tasks, Workers: 2,
		PoolOptions: []procpool.Option{procpool.WorkerOutput(os.Stderr, os.Stderr)},
	}
	warm, err := procpool.New(2, append([]procpool.Option{procpool.LendArgs()}, plan.PoolOptions...)...)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { warm.Close(); warm.Join() }()
	var pool, warmTime time.Duration
	var pipeSum float64
	for b.Loop() {
		start := time.Now()
		handles := make([]*procpool.AsyncResult, tasks)
		for i := range tasks {
			if handles[i], err = warm.ApplyAsync(procpool.Task{Func: w.Name, Args: plan.Args(i)}, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		for _, h := range handles {
			v, err := h.Get(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			warm.Recycle(v)
		}
		warmTime += time.Since(start)

		bw, err := PipeBandwidth(context.Background(), exe, size, size, tasks)
		if err != nil {
			b.Fatal(err)
		}
		pipeSum += bw
		rec := strategies.NewRecorder()
		start = time.Now()
		if err := (strategies.PoolApplyAsync{}).Run(context.Background(), plan, rec); err != nil {
			b.Fatal(err)
		}
		pool += time.Since(start)
		if o := rec.Outcome(); o.Errors > 0 {
			b.Fatalf("%d tasks failed: %v", o.Errors, o.ErrorSamples)
		}
	}
	moved := float64(2*size*tasks*b.N) / pool.Seconds()
	pipe := pipeSum / float64(b.N)
	b.ReportMetric(moved/(1<<20), "pool-MiB/s")
	b.ReportMetric(pipe/(1<<20), "pipe-MiB/s")
	b.ReportMetric(moved/pipe, "ratio")
	b.ReportMetric(float64(2*size*tasks*b.N)/warmTime.Seconds()/pipe, "warm-ratio")
}
