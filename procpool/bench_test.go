package procpool

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// The benchmarks below pair each pool operation with its physical limit,
// measured in the same run, so the ratio holds on a noisy machine:
//
//	BenchmarkApply        vs BenchmarkPipePingPong (target: at most 1.3x)
//	BenchmarkApplyAsync   ns per noop task with 2 workers (target: at most 2 us)
//	BenchmarkMapChunked   chunk=64 vs chunk=1, per noop task (target: at least 3x cheaper)
//	BenchmarkSpawnWorker  vs BenchmarkExecNoop (target: at most 1.2x)
//	BenchmarkSpawnWorker  vs BenchmarkExecMinimal (target: at most 1.5x;
//	                      BenchmarkSpawnVsExecMinimal pairs them in one loop)
//	BenchmarkPayloadEcho  1 MiB each way vs a raw pipe (payload_bench_test.go)
//	BenchmarkArticleVsPython  Pool(10), 100 x 50 ms vs CPython's fork Pool
//	                      (article_bench_test.go; target: at most 0.510 s and
//	                      at most 0.95x CPython's)

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

// BenchmarkSpawnWorker starts one worker and waits for its ready handshake.
func BenchmarkSpawnWorker(b *testing.B) {
	for b.Loop() {
		p, err := New(1)
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

// BenchmarkSpawnVsExecMinimal alternates the two above in one loop, so
// that both see the same load, and reports their ratio (target: at most
// 1.5): on a shared machine, two benchmarks run one after the other can
// see different neighbours.
func BenchmarkSpawnVsExecMinimal(b *testing.B) {
	bin := buildMinimal(b)
	var spawn, minimal time.Duration
	for b.Loop() {
		start := time.Now()
		p, err := New(1)
		if err != nil {
			b.Fatal(err)
		}
		spawn += time.Since(start)
		p.Close()
		p.Join()
		start = time.Now()
		if err := exec.Command(bin).Run(); err != nil {
			b.Fatal(err)
		}
		minimal += time.Since(start)
	}
	b.ReportMetric(float64(spawn.Microseconds())/float64(b.N), "spawn-us")
	b.ReportMetric(float64(minimal.Microseconds())/float64(b.N), "minimal-us")
	b.ReportMetric(float64(spawn)/float64(minimal), "ratio")
}

// buildMinimal builds a minimal Go program (package main, an empty main)
// and returns its path.
func buildMinimal(b *testing.B) string {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		b.Skip("no go command to build the minimal program:", err)
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "minimal")
	build := exec.Command(gobin, "build", "-o", bin, src)
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build the minimal program: %v\n%s", err, out)
	}
	return bin
}
