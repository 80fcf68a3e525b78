package procpool

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/gobuild"
)

// The benchmarks below pair each pool operation with its physical limit,
// measured in the same run, so the ratio holds on a noisy machine:
//
//	BenchmarkApply        vs BenchmarkPipePingPong (target: at most 1.3x)
//	BenchmarkApplyAsync   ns per noop task with 2 workers (target: at most 2 us)
//	BenchmarkMapChunked   chunk=64 vs chunk=1, per noop task (target: at least 3x cheaper)
//	BenchmarkSpawnWorker  worker=self vs BenchmarkExecNoop (target: at most
//	                      1.2x: what the pool adds to the exec of its binary)
//	BenchmarkSpawnWorker  worker=lean vs BenchmarkExecMinimal (target: at most
//	                      1.5x; BenchmarkSpawnVsExecMinimal pairs them in one
//	                      loop: lean-ratio, and self-ratio for the test binary)
//	BenchmarkPayloadEcho  1 MiB each way vs a raw pipe (payload_bench_test.go)
//	BenchmarkArticleVsPython  Pool(10), 100 x 50 ms vs CPython's fork Pool
//	                      (article_bench_test.go; target for the example as a
//	                      Go program of its own, program-s: at most 0.510 s
//	                      and at most 0.95x CPython's; testbin-s is the same
//	                      pool with the test binary as its workers)
//
// worker=self and testbin-s start workers from this test binary, which
// links the testing package and every test helper: a worker pays for each
// initialiser of the binary it is. worker=lean and program-s start a
// program that imports procpool alone (testdata/worker, testdata/article),
// built here.

// BenchmarkPipePingPong is a raw 16-byte round trip over a pair of pipes
// between this process and a child: the floor under any Apply.
func BenchmarkPipePingPong(b *testing.B) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=echo")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { in.Close(); cmd.Wait() }()
	var msg, reply [16]byte
	for b.Loop() {
		if _, err := in.Write(msg[:]); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(out, reply[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply is one noop task at a time, a full round trip each.
func BenchmarkApply(b *testing.B) {
	p := newPool(b, 2)
	ctx := context.Background()
	t := Task{Func: "test.noop"}
	for b.Loop() {
		if _, err := p.Apply(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyAsync submits b.N noop tasks with ApplyAsync and waits for
// them all; ns/op is the cost per task with 2 workers.
func BenchmarkApplyAsync(b *testing.B) {
	p := newPool(b, 2)
	t := Task{Func: "test.noop"}
	var last *AsyncResult
	b.ResetTimer()
	for range b.N {
		a, err := p.ApplyAsync(t, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		last = a
	}
	// Results are delivered in order per worker, not globally; wait for all.
	p.Close()
	if err := p.Join(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if _, err := last.Get(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMapChunked maps noop over b.N arguments, 4096 to a Map call,
// sent one per task and 64 per task; ns/op is the cost per argument.
func BenchmarkMapChunked(b *testing.B) {
	for _, chunk := range []int{1, 64} {
		b.Run(fmt.Sprintf("chunk=%d", chunk), func(b *testing.B) {
			p := newPool(b, 2)
			args := make([][]byte, 4096)
			ctx := context.Background()
			b.ResetTimer()
			for done := 0; done < b.N; done += len(args) {
				n := min(len(args), b.N-done)
				if _, err := p.Map(ctx, "test.noop", args[:n], ChunkSize(chunk)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSpawnWorker starts one worker and waits for its ready
// handshake: worker=self is this test binary re-executed (the default
// Command, a 7 MB binary whose initialisers include the testing
// package's), worker=lean the lean worker program in testdata/worker,
// which imports procpool alone, as a program with a heavy binary would
// build its workers (Command(path)). A worker pays for every initialiser
// of the binary it is.
func BenchmarkSpawnWorker(b *testing.B) {
	b.Run("worker=self", func(b *testing.B) { benchSpawn(b) })
	b.Run("worker=lean", func(b *testing.B) { benchSpawn(b, Command(buildWorker(b))) })
}

func benchSpawn(b *testing.B, opts ...Option) {
	for b.Loop() {
		p, err := New(1, opts...)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		p.Close()
		p.Join()
		b.StartTimer()
	}
}

// BenchmarkExecNoop execs the same binary to do nothing and waits for it to
// exit: the cost of creating the process, which a worker start cannot beat.
func BenchmarkExecNoop(b *testing.B) {
	env := append(os.Environ(), envChild+"=noop")
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = env
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecMinimal execs a minimal Go program (package main, an empty
// main), built here, and waits for it to exit: the floor under any start of
// a Go worker, whatever its binary carries.
func BenchmarkExecMinimal(b *testing.B) {
	bin := buildMinimal(b)
	b.ResetTimer()
	for b.Loop() {
		if err := exec.Command(bin).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSpawnVsExecMinimal alternates, in one loop, a worker start from
// this test binary, one from the lean worker program (testdata/worker) and
// an exec of the minimal program, so that all three see the same load (on
// a shared machine, benchmarks run one after the other can see different
// neighbours). It reports each one's mean and the ratios to the minimal
// program: lean-ratio is a program that builds a small worker binary
// (target: at most 1.5), self-ratio one whose workers are the program
// itself, here the test binary with the testing package's initialisers.
func BenchmarkSpawnVsExecMinimal(b *testing.B) {
	minimal, lean := buildMinimal(b), buildWorker(b)
	var self, leanT, min time.Duration
	spawn := func(opts ...Option) time.Duration {
		start := time.Now()
		p, err := New(1, opts...)
		if err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		p.Close()
		p.Join()
		return d
	}
	for b.Loop() {
		self += spawn()
		leanT += spawn(Command(lean))
		start := time.Now()
		if err := exec.Command(minimal).Run(); err != nil {
			b.Fatal(err)
		}
		min += time.Since(start)
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(us(self), "self-us")
	b.ReportMetric(us(leanT), "lean-us")
	b.ReportMetric(us(min), "minimal-us")
	b.ReportMetric(float64(self)/float64(min), "self-ratio")
	b.ReportMetric(float64(leanT)/float64(min), "lean-ratio")
}

// buildMinimal builds a minimal Go program (package main, an empty main)
// and returns its path.
func buildMinimal(b *testing.B) string {
	return buildSource(b, "minimal", "package main\n\nfunc main() {}\n")
}

// buildSource builds a one-file program from its source, as name in a
// temporary folder, and returns its path.
func buildSource(b *testing.B, name, source string) string {
	dir := b.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte(source), 0o600); err != nil {
		b.Fatal(err)
	}
	return gobuild.Build(b, filepath.Join(dir, name), src, "")
}

// buildWorker builds the lean worker program (testdata/worker) and returns
// its path.
func buildWorker(b *testing.B) string {
	return gobuild.Build(b, filepath.Join(b.TempDir(), "worker"), "./testdata/worker", "")
}
