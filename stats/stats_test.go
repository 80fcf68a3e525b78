package stats

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchmath"

	"github.com/poolbench/poolbench/internal/gobuild"
	"github.com/poolbench/poolbench/results"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		in                   []float64
		median, min, max, sd float64
		ci                   bool
	}{
		{[]float64{3}, 3, 3, 3, 0, false},
		{[]float64{4, 1}, 2.5, 1, 4, 2.1213203435596424, false},
		{[]float64{5, 1, 3}, 3, 1, 5, 2, false},
		{[]float64{1, 2, 3, 10}, 2.5, 1, 10, 4.08248290463863, false},
		{[]float64{6, 1, 5, 2, 4, 3}, 3.5, 1, 6, 1.8708286933869707, true},
	}
	for _, tt := range tests {
		s := Summarize(tt.in)
		if s.Median != tt.median || s.Min != tt.min || s.Max != tt.max || s.N != len(tt.in) || math.Abs(s.Stddev-tt.sd) > 1e-12 {
			t.Errorf("Summarize(%v) = %+v", tt.in, s)
		}
		if (s.CILow != nil) != tt.ci {
			t.Errorf("Summarize(%v): confidence interval %v, want one: %v", tt.in, s.CILow, tt.ci)
		}
		if s.CILow != nil && (*s.CILow > s.Median || *s.CIHigh < s.Median) {
			t.Errorf("Summarize(%v): interval [%v, %v] does not hold the median", tt.in, *s.CILow, *s.CIHigh)
		}
	}
}

func wall(median float64) results.Summary { return results.Summary{Median: median, N: 1} }

// TestIdealSeconds pins the ideal model as a pure function of stored
// figures: the cases a sweep and the claims depend on.
func TestIdealSeconds(t *testing.T) {
	serial := &results.Result{Strategy: "serial", WallSeconds: wall(10)}
	tests := []struct {
		name string
		r    results.Result
		want float64
		ok   bool
	}{
		{"cpu, pool of 4 on 2 CPUs", results.Result{Bound: "cpu", Concurrency: 4, CPUs: 2}, 5, true},
		{"cpu, one per task under GOMAXPROCS=1", results.Result{Bound: "cpu", Concurrency: 100, CPUs: 1}, 10, true},
		{"cpu, pool-apply at 8 workers", results.Result{Bound: "cpu", PoolSize: 8, Concurrency: 1, CPUs: 2}, 10, true},
		{"cpu, 10 equal tasks in a pool of 4 on 2 CPUs", results.Result{Bound: "cpu", Concurrency: 4, CPUs: 2, LongestTaskShare: 0.1}, 5, true},
		{"cpu, one task on 2 CPUs", results.Result{Bound: "cpu", Concurrency: 1, CPUs: 2, LongestTaskShare: 1}, 10, true},
		{"cpu, one task 90% of the work", results.Result{Bound: "cpu", Concurrency: 4, CPUs: 2, LongestTaskShare: 0.9}, 9, true},
		{"cpu, 3 equal tasks in a pool of 2 on 2 CPUs", results.Result{Bound: "cpu", Tasks: 3, Concurrency: 2, CPUs: 2, LongestTaskShare: 1.0 / 3}, 20.0 / 3, true},
		{"cpu, 3 equal tasks, one process each, on 2 CPUs", results.Result{Bound: "cpu", Tasks: 3, Concurrency: 3, CPUs: 2, LongestTaskShare: 1.0 / 3}, 5, true},
		{"cpu, 40 equal tasks in a pool of 3 on 2 CPUs", results.Result{Bound: "cpu", Tasks: 40, Concurrency: 3, CPUs: 2, LongestTaskShare: 1.0 / 40}, 5, true},
		{"latency, 100 tasks in a pool of 10", results.Result{Bound: "latency", Tasks: 100, Concurrency: 10, TaskNominalSeconds: 0.05}, 0.5, true},
		{"latency, 10 tasks in waves of 4", results.Result{Bound: "latency", Tasks: 10, Concurrency: 4, TaskNominalSeconds: 1}, 3, true},
		{"latency, pool-apply flat at any size", results.Result{Bound: "latency", Tasks: 10, PoolSize: 16, Concurrency: 1, TaskNominalSeconds: 1}, 10, true},
		{"noop has no model", results.Result{Concurrency: 4, CPUs: 2}, 0, false},
	}
	for _, tt := range tests {
		got, ok := IdealSeconds(&tt.r, serial)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: IdealSeconds = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := IdealSeconds(&results.Result{Bound: "cpu", Concurrency: 2, CPUs: 2}, nil); ok {
		t.Error("a cpu-bound ideal without a baseline should be unknown")
	}
}

func TestDerive(t *testing.T) {
	run := &results.Run{Results: []results.Result{
		{Strategy: "serial", Workload: "cpu", Tasks: 10, Repeats: 1, Bound: "cpu", Concurrency: 1, CPUs: 2, Baseline: "serial",
			WallSeconds: wall(8), Trials: []results.Trial{{}}},
		{Strategy: "pool", Workload: "cpu", Tasks: 10, Repeats: 1, Bound: "cpu", Concurrency: 2, CPUs: 2, Baseline: "serial",
			WallSeconds: wall(5), Trials: []results.Trial{{Errors: 3}}},
		{Strategy: "crashy", Workload: "cpu", Tasks: 10, Repeats: 2, Bound: "cpu", Concurrency: 2, CPUs: 2, Baseline: "serial",
			WallSeconds: wall(1), Errors: 20, Trials: []results.Trial{{Errors: 10}, {Errors: 10}}},
		{Strategy: "orphan", Workload: "io", Tasks: 10, Repeats: 1, Concurrency: 2, Baseline: "serial",
			WallSeconds: wall(1), Trials: []results.Trial{{}}},
	}}
	Derive(run)
	r := run.Results
	if *r[1].SpeedupVsSerial != 1.6 || *r[1].IdealSeconds != 4 || *r[1].Efficiency != 0.8 || *r[1].TasksPerSecond != 2 {
		t.Errorf("pool: speedup %v, ideal %v, efficiency %v, throughput %v", *r[1].SpeedupVsSerial, *r[1].IdealSeconds, *r[1].Efficiency, *r[1].TasksPerSecond)
	}
	if r[2].TasksPerSecond != nil || r[2].SpeedupVsSerial != nil || r[2].Efficiency != nil || r[2].IdealSeconds != nil {
		t.Error("a result whose every task failed must have no derived figure")
	}
	if r[3].SpeedupVsSerial != nil || r[3].Efficiency != nil || r[3].TasksPerSecond == nil {
		t.Error("with no baseline and no ideal model, only the throughput is known")
	}

	// A baseline whose every task failed did none of the work: it scales
	// no ideal time, so no efficiency, and gives no speedup.
	failedBase := &results.Run{Results: []results.Result{
		{Strategy: "serial", Workload: "cpu", Tasks: 10, Repeats: 1, Bound: "cpu", Concurrency: 1, CPUs: 2, Baseline: "serial",
			WallSeconds: wall(0.01), Errors: 10, Trials: []results.Trial{{Errors: 10}}},
		{Strategy: "pool", Workload: "cpu", Tasks: 10, Repeats: 1, Bound: "cpu", Concurrency: 2, CPUs: 2, Baseline: "serial",
			WallSeconds: wall(5), Trials: []results.Trial{{}}},
	}}
	Derive(failedBase)
	if p := failedBase.Results[1]; p.SpeedupVsSerial != nil || p.IdealSeconds != nil || p.Efficiency != nil || p.TasksPerSecond == nil {
		t.Errorf("pool beside a failed baseline: speedup %v, ideal %v, efficiency %v; want only its throughput", p.SpeedupVsSerial, p.IdealSeconds, p.Efficiency)
	}
}

// TestCompareMatchesBenchstat feeds the same samples to Compare and to the
// benchstat command, built from the module this package's statistics come
// from, and wants the same delta and p-value, digit for digit.
func TestCompareMatchesBenchstat(t *testing.T) {
	goBin := gobuild.Tool(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "benchstat")
	if out, err := exec.Command(goBin, "build", "-o", bin, "golang.org/x/perf/cmd/benchstat").CombinedOutput(); err != nil {
		t.Fatalf("build benchstat: %v\n%s", err, out)
	}
	tests := []struct{ old, new []float64 }{
		{[]float64{10, 11, 10.5, 10.2, 10.1}, []float64{12, 12.5, 12.2, 12.1, 12.4}},
		{[]float64{10, 11, 10.5}, []float64{12, 12.5, 12.2}},
		{[]float64{10, 11, 10.5, 10.2, 10.1}, []float64{10.3, 10.6, 10.1, 11.2, 10.4}},
		{[]float64{5, 6, 7, 8, 9, 10, 11}, []float64{4, 5, 6, 6.5, 7, 7.5}},
		{[]float64{1, 1, 1, 1}, []float64{1, 1, 1, 1}},
	}
	for i, tt := range tests {
		write := func(name string, vs []float64) string {
			var b strings.Builder
			for _, v := range vs {
				fmt.Fprintf(&b, "BenchmarkX 1 %v ns/op\n", v)
			}
			path := filepath.Join(dir, fmt.Sprintf("%s%d.txt", name, i))
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
		out, err := exec.Command(bin, "-format", "csv", write("old", tt.old), write("new", tt.new)).Output()
		if err != nil {
			t.Fatalf("benchstat: %v", err)
		}
		// The row for X: name, old, CI, new, CI, vs base, P.
		var row []string
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Split(line, ","); f[0] == "X" {
				row = f
			}
		}
		if len(row) < 7 {
			t.Fatalf("benchstat printed no row for X:\n%s", out)
		}
		c := Compare(tt.old, tt.new)
		if c.Delta != row[5] {
			t.Errorf("%v -> %v: Compare says %q, benchstat %q", tt.old, tt.new, c.Delta, row[5])
		}
		if want := strings.TrimSpace(row[6]); pString(c) != want {
			t.Errorf("%v -> %v: Compare p %q, benchstat %q", tt.old, tt.new, pString(c), want)
		}
	}
}

// pString prints the test as benchstat's P column does.
func pString(c Change) string {
	return benchmath.Comparison{P: c.P, N1: c.OldN, N2: c.NewN}.String()
}

func TestTooFewToDetect(t *testing.T) {
	for _, tt := range []struct {
		n1, n2 int
		tooFew bool
	}{{3, 3, true}, {4, 4, false}, {4, 2, true}, {5, 3, false}, {1, 9, true}, {0, 5, true}} {
		old, new := make([]float64, tt.n1), make([]float64, tt.n2)
		for i := range old {
			old[i] = float64(i)
		}
		for i := range new {
			new[i] = float64(100 + i)
		}
		if c := Compare(old, new); c.TooFew != tt.tooFew {
			t.Errorf("%d+%d trials: TooFew %v, want %v (p=%v)", tt.n1, tt.n2, c.TooFew, tt.tooFew, c.P)
		}
	}
}
