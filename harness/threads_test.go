//go:build linux

package harness

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

// threadsOf is a process's thread count as the kernel keeps it.
func threadsOf(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Threads:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("no Threads line in /proc/%d/status", pid)
}

// TestWorkerThreads holds threadsPerWorker, on which the process limit
// derived from `ulimit -u` rests, against the threads a worker running a
// task has, as /proc counts them.
func TestWorkerThreads(t *testing.T) {
	w, err := workloads.Lookup("io")
	if err != nil {
		t.Fatal(err)
	}
	size, err := w.ParseSize("300ms")
	if err != nil {
		t.Fatal(err)
	}
	p, err := procpool.New(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Terminate()
	a, err := p.ApplyAsync(procpool.Task{Func: "io", Args: w.ArgsFor(size, workloads.Options{}, 0)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pids := p.PIDs()
	if len(pids) != 1 {
		t.Fatalf("workers %v, want 1", pids)
	}
	n, err := threadsOf(pids[0])
	if err != nil {
		t.Fatal(err)
	}
	a.Wait()
	if _, err := a.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n < 1 || n > threadsPerWorker {
		t.Fatalf("a worker running a task has %d threads; the process limit assumes at most %d", n, threadsPerWorker)
	}
	t.Logf("a worker running a task: %d threads", n)
}

// TestReserveThreads: the threads reserved exist, as /proc counts them,
// and stay once their goroutines have let go of them.
func TestReserveThreads(t *testing.T) {
	before, err := threadsOf(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	reserveThreads(before + 8)
	after, err := threadsOf(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after < before+8 {
		t.Fatalf("%d threads after reserving %d (had %d)", after, before+8, before)
	}
}
