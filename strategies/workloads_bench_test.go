package strategies

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/gobuild"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
)

// The new workloads' targets are held here as benchmarks that pair each
// figure with its reference, measured in the same run and interleaved
// iteration by iteration, so that the reported ratio survives a busy
// machine:
//
//	BenchmarkExecTrueOverhead   serial running --cmd-argv /bin/true per task
//	                            against starting /bin/true from Go directly
//	                            (target: ratio at most 1.3)
//	BenchmarkSkewedMapVsIdeal   skewed tasks through pool-map against the
//	                            ideal, serial's time over the CPUs
//	                            (target: ratio at most 1.1)

// BenchmarkExecTrueOverhead reports ns per task for both ways and their
// ratio: what poolbench adds to each command it runs.
func BenchmarkExecTrueOverhead(b *testing.B) {
	const tasks = 20
	w, err := workloads.Lookup(workloads.ExecName)
	if err != nil {
		b.Fatal(err)
	}
	path, err := exec.LookPath("true")
	if err != nil {
		b.Skip("no true command")
	}
	plan := Plan{Workload: w, Options: workloads.Options{Cmd: path, CmdArgv: true}, Tasks: tasks, Workers: 1}
	var direct, ours time.Duration
	for b.Loop() {
		start := time.Now()
		for range tasks {
			if err := exec.Command(path).Run(); err != nil {
				b.Fatal(err)
			}
		}
		direct += time.Since(start)
		rec := NewRecorder()
		start = time.Now()
		if err := (Serial{}).Run(context.Background(), plan, rec); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		if o := rec.Outcome(); o.Errors > 0 {
			b.Fatalf("%d tasks failed: %v", o.Errors, o.ErrorSamples)
		}
	}
	n := float64(b.N * tasks)
	b.ReportMetric(float64(direct.Nanoseconds())/n, "direct-ns/task")
	b.ReportMetric(float64(ours.Nanoseconds())/n, "poolbench-ns/task")
	b.ReportMetric(float64(ours)/float64(direct), "ratio")
}

// BenchmarkSkewedMapVsIdeal runs skewed tasks (sigma 1) serially and
// through pool-map with a worker per CPU, and reports pool-map's wall time
// over the ideal for the same total work: serial's time over the CPUs.
// map/ideal is pool-map with chunk size 1 (its default), pool start-up
// included, its workers poolbench-worker (built here), as a run's pools
// start them; self-map/ideal the same with this test binary re-executed as
// the workers. That is not poolbench, which a run re-executes without
// poolbench-worker, but this package's test binary: every package its
// tests import, and linked dynamically when cgo is on (go test's default),
// where make build links poolbench and poolbench-worker statically; each
// start pays for all of it. warm-map/ideal is the same
// Map on a pool started before the clock: the scheduling of stragglers
// alone. chunked-map/ideal hands each worker half the tasks at once (chunk
// size tasks/CPUs): a worker whose chunk holds the stragglers runs them
// alone while the others idle.
func BenchmarkSkewedMapVsIdeal(b *testing.B) {
	const tasks = 40
	w, err := workloads.Lookup(workloads.SkewedName)
	if err != nil {
		b.Fatal(err)
	}
	cpus := runtime.GOMAXPROCS(0)
	self := Plan{Workload: w, Size: 100_000, Options: workloads.Options{Seed: 1, Skew: 1}, Tasks: tasks, Workers: cpus}
	plan := self
	plan.PoolOptions = []procpool.Option{procpool.Command(buildWorker(b))}
	warm, err := procpool.New(cpus, plan.PoolOptions...)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { warm.Close(); warm.Join() }()
	args := make([][]byte, tasks)
	for i := range args {
		args[i] = plan.Args(i)
	}
	var serial, mapped, selfMapped, warmMapped, chunked time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := warm.Map(context.Background(), w.Name, args, procpool.ChunkSize(1)); err != nil {
			b.Fatal(err)
		}
		warmMapped += time.Since(start)
		start = time.Now()
		if _, err := warm.Map(context.Background(), w.Name, args, procpool.ChunkSize(tasks/cpus)); err != nil {
			b.Fatal(err)
		}
		chunked += time.Since(start)
		start = time.Now()
		if err := (Serial{}).Run(context.Background(), plan, NewRecorder()); err != nil {
			b.Fatal(err)
		}
		serial += time.Since(start)
		start = time.Now()
		if err := (PoolMap{}).Run(context.Background(), plan, NewRecorder()); err != nil {
			b.Fatal(err)
		}
		mapped += time.Since(start)
		start = time.Now()
		if err := (PoolMap{}).Run(context.Background(), self, NewRecorder()); err != nil {
			b.Fatal(err)
		}
		selfMapped += time.Since(start)
	}
	ideal := float64(serial) / float64(cpus)
	b.ReportMetric(float64(serial.Nanoseconds())/float64(b.N), "serial-ns/batch")
	b.ReportMetric(float64(mapped.Nanoseconds())/float64(b.N), "map-ns/batch")
	b.ReportMetric(float64(mapped)/ideal, "map/ideal")
	b.ReportMetric(float64(selfMapped)/ideal, "self-map/ideal")
	b.ReportMetric(float64(warmMapped)/ideal, "warm-map/ideal")
	b.ReportMetric(float64(chunked)/ideal, "chunked-map/ideal")
}

// buildWorker builds poolbench-worker, the pool worker a run's pools start,
// and returns its path.
func buildWorker(b *testing.B) string {
	b.Helper()
	return gobuild.Build(b, filepath.Join(b.TempDir(), "poolbench-worker"), "github.com/poolbench/poolbench/cmd/poolbench-worker", "")
}
