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
	"time"

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
// derived from `ulimit -u` rests, against the most threads /proc counts in a
// worker over tasks that churn its heap (the collector's workers are most of
// a Go process's threads) and sleep.
func TestWorkerThreads(t *testing.T) {
	p, err := procpool.New(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Terminate()
	var tasks []procpool.Task
	for _, c := range []struct{ workload, size string }{{"alloc", "256MiB"}, {"io", "100ms"}} {
		w, err := workloads.Lookup(c.workload)
		if err != nil {
			t.Fatal(err)
		}
		size, err := w.ParseSize(c.size)
		if err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, procpool.Task{Func: c.workload, Args: w.ArgsFor(size, workloads.Options{}, 0)})
	}
	done := make(chan error, 1)
	go func() {
		for _, task := range tasks {
			if _, err := p.Apply(context.Background(), task); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	peak := 0
	for watching := true; watching; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			watching = false
		case <-time.After(time.Millisecond):
		}
		for _, pid := range p.PIDs() {
			if n, err := threadsOf(pid); err == nil {
				peak = max(peak, n)
			}
		}
	}
	if peak < 1 || peak > threadsPerWorker() {
		t.Fatalf("a worker ran up to %d threads; the process limit assumes at most %d", peak, threadsPerWorker())
	}
	t.Logf("a worker's threads: up to %d (bound %d)", peak, threadsPerWorker())
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
