package procpool

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// articlePy is the article's example as a Python programmer times it:
// Pool(10) with the fork start method, apply_async with a callback for 100
// tasks of 50 ms, close, join; pool start-up included. It prints seconds.
const articlePy = `import multiprocessing as mp, sys, time

def work(i):
    time.sleep(0.05)
    return i

if __name__ == "__main__":
    ctx = mp.get_context("fork")
    done = []
    t = time.perf_counter()
    pool = ctx.Pool(10)
    for i in range(100):
        pool.apply_async(work, (i,), callback=done.append)
    pool.close()
    pool.join()
    elapsed = time.perf_counter() - t
    assert len(done) == 100
    print(elapsed)
`

// BenchmarkArticleVsPython is the article's example (Pool of 10, 100 tasks
// of 50 ms, pool start-up included) through this pool, with this test
// binary as the worker, and through CPython's fork Pool, in turn in the
// same run. Targets: at most 0.510 s (efficiency at least 0.98) and at
// least 5% faster than CPython (ratio at most 0.95).
func BenchmarkArticleVsPython(b *testing.B) {
	python, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("no python3:", err)
	}
	script := filepath.Join(b.TempDir(), "article.py")
	if err := os.WriteFile(script, []byte(articlePy), 0o600); err != nil {
		b.Fatal(err)
	}
	const workers, tasks, sleep = 10, 100, 50 * time.Millisecond
	args := sleepArgs(sleep)
	var pool, py time.Duration
	for b.Loop() {
		start := time.Now()
		p, err := New(workers)
		if err != nil {
			b.Fatal(err)
		}
		done := 0
		cb := func(r Result) {
			if r.Err == nil {
				done++
			}
		}
		for range tasks {
			if _, err := p.ApplyAsync(Task{Func: "test.sleep", Args: args}, cb, cb); err != nil {
				b.Fatal(err)
			}
		}
		p.Close()
		if err := p.Join(); err != nil {
			b.Fatal(err)
		}
		pool += time.Since(start)
		if done != tasks {
			b.Fatalf("%d of %d tasks succeeded", done, tasks)
		}
		out, err := exec.Command(python, "-I", script).Output()
		if err != nil {
			b.Fatalf("python: %v", err)
		}
		secs, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			b.Fatal(err)
		}
		py += time.Duration(secs * float64(time.Second))
	}
	ideal := time.Duration(tasks/workers) * sleep
	b.ReportMetric(pool.Seconds()/float64(b.N), "pool-s")
	b.ReportMetric(py.Seconds()/float64(b.N), "python-s")
	b.ReportMetric(float64(ideal)*float64(b.N)/float64(pool), "efficiency")
	b.ReportMetric(pool.Seconds()/py.Seconds(), "ratio")
}
