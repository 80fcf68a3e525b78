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
// of 50 ms, pool start-up included) three ways, in turn in the same loop:
//
//   - program-s: the example as a Go program of its own (testdata/article),
//     whose workers are the program re-executed, timed by itself as the
//     Python script times itself;
//   - testbin-s: the same pool run from this test binary, whose workers are
//     the test binary (7 MB, the testing package's initialisers run in each);
//   - python-s: CPython's fork Pool (articlePy).
//
// Targets, for program-s: at most 0.510 s (efficiency at least 0.98) and
// at least 5% faster than CPython (ratio at most 0.95); testbin-ratio is
// testbin-s to python-s, shown so that the cost of a heavy worker binary
// is in sight.
func BenchmarkArticleVsPython(b *testing.B) {
	python, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("no python3:", err)
	}
	script := filepath.Join(b.TempDir(), "article.py")
	if err := os.WriteFile(script, []byte(articlePy), 0o600); err != nil {
		b.Fatal(err)
	}
	program := goBuild(b, ".", "./testdata/article")
	const workers, tasks, sleep = 10, 100, 50 * time.Millisecond
	args := sleepArgs(sleep)
	var prog, testbin, py time.Duration
	for b.Loop() {
		prog += runTimed(b, program)
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
		testbin += time.Since(start)
		if done != tasks {
			b.Fatalf("%d of %d tasks succeeded", done, tasks)
		}
		py += runTimed(b, python, "-I", script)
	}
	ideal := time.Duration(tasks/workers) * sleep
	b.ReportMetric(prog.Seconds()/float64(b.N), "program-s")
	b.ReportMetric(testbin.Seconds()/float64(b.N), "testbin-s")
	b.ReportMetric(py.Seconds()/float64(b.N), "python-s")
	b.ReportMetric(float64(ideal)*float64(b.N)/float64(prog), "efficiency")
	b.ReportMetric(prog.Seconds()/py.Seconds(), "ratio")
	b.ReportMetric(testbin.Seconds()/py.Seconds(), "testbin-ratio")
}

// runTimed runs a program that times itself and prints the seconds it
// took, and returns them.
func runTimed(b *testing.B, name string, args ...string) time.Duration {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		b.Fatalf("%s: %v", filepath.Base(name), err)
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		b.Fatalf("%s printed %q: %v", filepath.Base(name), out, err)
	}
	return time.Duration(secs * float64(time.Second))
}
