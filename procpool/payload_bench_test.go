package procpool

import (
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPayloadEcho sends 1 MiB to a worker and back per task, 32 tasks
// at a time through ApplyAsync on a warm pool of 2, and, interleaved with
// it, 1 MiB each way through a raw pipe to a child that echoes it, one
// round trip at a time. The raw pipes are grown as the pool grows its own,
// so the comparison is fair. It reports both in MiB/s (bytes moved both
// ways) and their ratio: the pool's IPC path, without any workload's cost.
// args stays unchanged (LendArgs) and each result, once checked, is
// recycled, as the pool strategies do.
func BenchmarkPayloadEcho(b *testing.B) {
	const tasks, size = 32, 1 << 20
	p := newPool(b, 2, LendArgs())
	args := make([]byte, size)
	for i := range args {
		args[i] = byte(i)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=echo-mib")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	inR, in, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	out, outW, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	var inGrowth, outGrowth pipeGrowth
	inGrowth.grow(in)
	outGrowth.grow(out)
	defer inGrowth.release()
	defer outGrowth.release()
	cmd.Stdin, cmd.Stdout = inR, outW
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	inR.Close()
	outW.Close()
	defer func() { in.Close(); cmd.Wait(); out.Close() }()
	reply := make([]byte, size)
	var pool, pipe time.Duration
	for b.Loop() {
		start := time.Now()
		hs := make([]*AsyncResult, tasks)
		for i := range hs {
			if hs[i], err = p.ApplyAsync(Task{Func: "test.echo", Args: args}, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		for _, h := range hs {
			v, err := h.Get(b.Context())
			if err != nil || len(v) != size {
				b.Fatalf("echo: %d bytes, %v", len(v), err)
			}
			p.Recycle(v)
		}
		pool += time.Since(start)
		start = time.Now()
		for range tasks {
			if _, err := in.Write(args); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(out, reply); err != nil {
				b.Fatal(err)
			}
		}
		pipe += time.Since(start)
	}
	moved := float64(2 * size * tasks * b.N)
	b.ReportMetric(moved/pool.Seconds()/(1<<20), "pool-MiB/s")
	b.ReportMetric(moved/pipe.Seconds()/(1<<20), "pipe-MiB/s")
	b.ReportMetric(pipe.Seconds()/pool.Seconds(), "ratio")
}
