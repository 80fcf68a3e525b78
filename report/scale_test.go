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
// file of that size must render in seconds (issue: 20 ms a row, half an
// hour for 200 MB). Compare with the 1,000-row case: drawing must grow
// linearly with the rows.
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
