package strategies

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
)

// procIO reads the bytes a process has read and written through system
// calls (rchar and wchar of /proc/PID/io): what crossed its pipes.
func procIO(t *testing.T, pid int) (read, written uint64) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		t.Skipf("no /proc/%d/io: %v", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		n, _ := strconv.ParseUint(v, 10, 64)
		switch k {
		case "rchar":
			read = n
		case "wchar":
			written = n
		}
	}
	return read, written
}

// The payload workload's bytes really cross the process boundary: the
// kernel's own count of what the receiving side read grows by at least
// what bytes_per_task claims for every task, in (the worker's reads) and
// out (this process's reads) separately. What a side wrote is no measure:
// large arguments and results go to the pipe by vmsplice, which the
// kernel does not count as written.
func TestPayloadBytesCrossThePipe(t *testing.T) {
	const tasks = 8
	const in, out = 256 << 10, 64 << 10
	w, err := workloads.Lookup(workloads.PayloadName)
	if err != nil {
		t.Fatal(err)
	}
	o := workloads.Options{Seed: 2, PayloadIn: in, PayloadOut: out}
	if got := w.BytesPerTask(o); got != in+out {
		t.Fatalf("BytesPerTask = %d, want %d", got, in+out)
	}
	p, err := procpool.New(1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.Close(); p.Join() }()
	// One task first, so the worker's start-up reads are behind us.
	ctx := context.Background()
	if _, err := p.Apply(ctx, procpool.Task{Func: w.Name, Args: w.ArgsFor(0, o, 0)}); err != nil {
		t.Fatal(err)
	}
	pid := p.PIDs()[0]
	r0, _ := procIO(t, pid)
	own0, _ := procIO(t, os.Getpid())
	for i := range tasks {
		res, err := p.Apply(ctx, procpool.Task{Func: w.Name, Args: w.ArgsFor(0, o, i)})
		if err != nil || len(res.Value) != out {
			t.Fatalf("task %d: %d bytes back, %v", i, len(res.Value), err)
		}
	}
	r1, _ := procIO(t, pid)
	own1, _ := procIO(t, os.Getpid())
	if got := r1 - r0; got < tasks*in {
		t.Errorf("worker read %d bytes for %d tasks of %d bytes in", got, tasks, in)
	}
	if got := own1 - own0; got < tasks*out {
		t.Errorf("the pool's owner read %d bytes for %d tasks of %d bytes out", got, tasks, out)
	}
}
