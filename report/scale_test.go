package report

import (
	"math/rand/v2"
	"testing"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// largeRun is a run of n results: every strategy of the fixture, on two
// workloads, at pool sizes 1, 2, 3, ... as a long sweep would have them.
func largeRun(n int) *results.Run {
	rng := rand.New(rand.NewPCG(5, 6))
	run := fixtureBase("sweep")
	run.Config.Workloads = []string{"cpu", "io"}
	for size := 1; len(run.Results) < n; size++ {
		run.Config.WorkerSizes = append(run.Config.WorkerSizes, size)
		for _, wl := range run.Config.Workloads {
			for _, s := range fixtureStrategies {
				if len(run.Results) == n {
					break
				}
				probe := fixtureResult(rng, s, wl, size, 1, 1)
				if probe.PoolSize == 0 && size > 1 {
					continue // a sweep runs a strategy without a pool once
				}
				s.spawns = min(s.spawns, 4) // the spawn lists, not the rows, would dominate
				run.Results = append(run.Results, fixtureResult(rng, s, wl, size, s.wall[wl]*(1+0.001*float64(size)), s.wall[wl]))
			}
		}
	}
	stats.Derive(run)
	return run
}

// BenchmarkChartsLarge draws every chart of a 10,000-result run: a results
// file of that size must render in well under 10 s (a bar per result took
// 20 ms a row: half an hour for 200 MB). Compare with the 1,000-row case:
// drawing must grow at most linearly with the rows.
func BenchmarkChartsLarge(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		run := largeRun(n)
		b.Run(itoa(n)+"-results", func(b *testing.B) {
			for b.Loop() {
				if _, err := renderCharts(run); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestChartRowsOfALongSweep: past maxChartRows results on a workload, a
// per-result chart draws each strategy once, at its fastest pool size.
func TestChartRowsOfALongSweep(t *testing.T) {
	run := largeRun(2000)
	for _, wl := range run.Config.Workloads {
		rows := chartRows(run, wl)
		if len(rows) > maxChartRows {
			t.Fatalf("%s: %d rows drawn", wl, len(rows))
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if seen[r.Strategy] {
				t.Errorf("%s: %s drawn twice", wl, r.Strategy)
			}
			seen[r.Strategy] = true
			for _, o := range resultsFor(run, wl) {
				if o.Strategy == r.Strategy && o.WallSeconds.Median < r.WallSeconds.Median {
					t.Errorf("%s: %s drawn at pool size %d, but %d was faster", wl, r.Strategy, r.PoolSize, o.PoolSize)
					break
				}
			}
		}
	}
	if small := fixtureRun(); len(chartRows(small, "cpu")) != len(resultsFor(small, "cpu")) {
		t.Error("a run of a few results lost rows")
	}
}
