package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/gobuild"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

// BenchmarkPayloadVsPipe moves 1 MiB in and 1 MiB out per task through
// pool-apply-async (2 workers, pool start-up included, as a run measures
// it: its workers are poolbench-worker, built here) and, interleaved with
// it, the same bytes through a raw pipe to a child process; it reports both
// in MiB/s and their ratio (target: at least 0.5). self-ratio is the same
// strategy with the test binary re-executed as the workers. That is not
// poolbench, which a run re-executes when poolbench-worker is missing, but
// this package's test binary: every package its tests import, and linked
// dynamically when cgo is on (go test's default), where make build links
// poolbench and poolbench-worker statically; a start costs all of it.
// warm-ratio is the same tasks through a
// pool of poolbench-worker started before the clock (ApplyAsync straight on
// procpool, no recorder): the IPC path alone, without the pool's start-up
// and the strategy's bookkeeping, with the same LendArgs, Recycle and
// argument reuse as the strategy.
func BenchmarkPayloadVsPipe(b *testing.B) {
	const tasks, size = 64, 1 << 20
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	worker := buildWorker(b)
	w, err := workloads.Lookup(workloads.PayloadName)
	if err != nil {
		b.Fatal(err)
	}
	self := strategies.Plan{
		Workload: w, Options: workloads.Options{Seed: 1, PayloadIn: size, PayloadOut: size},
		Tasks: tasks, Workers: 2,
		PoolOptions: []procpool.Option{procpool.WorkerOutput(os.Stderr, os.Stderr)},
	}
	plan := self
	plan.PoolOptions = append(plan.PoolOptions[:len(plan.PoolOptions):len(plan.PoolOptions)], procpool.Command(worker))
	warm, err := procpool.New(2, append([]procpool.Option{procpool.LendArgs()}, plan.PoolOptions...)...)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { warm.Close(); warm.Join() }()
	var pool, selfTime, warmTime time.Duration
	var pipeSum float64
	runPool := func(plan strategies.Plan) time.Duration {
		rec := strategies.NewRecorder()
		start := time.Now()
		if err := (strategies.PoolApplyAsync{}).Run(context.Background(), plan, rec); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		if o := rec.Outcome(); o.Errors > 0 {
			b.Fatalf("%d tasks failed: %v", o.Errors, o.ErrorSamples)
		}
		return d
	}
	for b.Loop() {
		start := time.Now()
		handles := make([]*procpool.AsyncResult, tasks)
		args := make([][]byte, tasks)
		for i := range tasks {
			args[i] = plan.Args(i)
			if handles[i], err = warm.ApplyAsync(procpool.Task{Func: w.Name, Args: args[i]}, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		for i, h := range handles {
			v, err := h.Get(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			warm.Recycle(v)
			w.Reuse(args[i])
		}
		warmTime += time.Since(start)

		bw, err := PipeBandwidth(context.Background(), exe, size, size, tasks)
		if err != nil {
			b.Fatal(err)
		}
		pipeSum += bw
		pool += runPool(plan)
		selfTime += runPool(self)
	}
	bytes := float64(2 * size * tasks * b.N)
	moved := bytes / pool.Seconds()
	pipe := pipeSum / float64(b.N)
	b.ReportMetric(moved/(1<<20), "pool-MiB/s")
	b.ReportMetric(pipe/(1<<20), "pipe-MiB/s")
	b.ReportMetric(moved/pipe, "ratio")
	b.ReportMetric(bytes/selfTime.Seconds()/pipe, "self-ratio")
	b.ReportMetric(bytes/warmTime.Seconds()/pipe, "warm-ratio")
}

// buildWorker builds poolbench-worker, the worker program a run's pools
// start, into a temporary folder.
func buildWorker(b *testing.B) string {
	b.Helper()
	return gobuild.Build(b, filepath.Join(b.TempDir(), WorkerBinaryName), "github.com/poolbench/poolbench/cmd/poolbench-worker", "")
}
