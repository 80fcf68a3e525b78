package report

import (
	"bytes"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

func TestCharts(t *testing.T) {
	cases := []struct {
		name string
		run  *results.Run
		want []string
	}{
		{"run", fixtureRun(), []string{"wall.png", "speedup.png", "memory.png", "spawn.png", "latency.png", "cpu.png", "logging.png"}},
		{"sweep", fixtureSweep(), []string{"wall.png", "speedup.png", "memory.png", "spawn.png", "latency.png", "cpu.png", "sweep-wall.png", "sweep-speedup.png"}},
		{"goroutines only", goroutinesOnly(), []string{"wall.png", "speedup.png", "memory.png", "latency.png", "cpu.png"}},
		{"empty", &results.Run{SchemaVersion: 1}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if d := os.Getenv("POOLBENCH_CHARTS"); d != "" {
				dir = filepath.Join(d, c.name)
			}
			names, err := Charts(c.run, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names, c.want) {
				t.Fatalf("charts = %v, want %v", names, c.want)
			}
			for _, n := range names {
				data, err := os.ReadFile(filepath.Join(dir, n))
				if err != nil {
					t.Fatal(err)
				}
				cfg, err := png.DecodeConfig(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("%s: %v", n, err)
				}
				// 9 inches wide at 150 dpi.
				if cfg.Width != 9*chartDPI {
					t.Errorf("%s: %d px wide, want %d (150 dpi)", n, cfg.Width, 9*chartDPI)
				}
			}
		})
	}
}

// goroutinesOnly has no process strategies, so no spawns and no logging:
// those charts must be skipped, not drawn empty.
func goroutinesOnly() *results.Run {
	run := fixtureRun()
	run.Results = slices.DeleteFunc(run.Results, func(r results.Result) bool {
		return r.ProcessesSpawned > 0
	})
	run.Logging = nil
	return run
}

func TestStrategyColoursStable(t *testing.T) {
	seen := map[string]string{}
	for name, c := range strategyColours {
		key := string([]byte{c.R, c.G, c.B})
		if other, ok := seen[key]; ok {
			t.Errorf("%s and %s share a colour", name, other)
		}
		seen[key] = name
	}
	if strategyColour("pool-map") != strategyColours["pool-map"] {
		t.Error("a known strategy does not get its own colour")
	}
	if strategyColour("made-up") != strategyColour("made-up") {
		t.Error("an unknown strategy's colour is not stable")
	}
}

// TestChartsNeverPanic: figures a chart cannot draw (a pool size of 0 on
// the sweep's log axis, a zero wall time) cost an error or a chart left
// out, never a panic.
func TestChartsNeverPanic(t *testing.T) {
	run := fixtureSweep()
	for i := range run.Results {
		if i%3 == 0 {
			run.Results[i].PoolSize = 0
		}
		if i%5 == 0 {
			run.Results[i].WallSeconds = results.Summary{N: 1}
		}
	}
	if _, err := renderCharts(run); err != nil {
		t.Logf("charts refused the figures: %v", err)
	}
}

// In the sweep charts every strategy has its own ideal: pool-apply's (one
// task at a time) is not pool-apply-async's, so one ideal line for all, the
// first strategy's, misdrew the others.
func TestSweepLinesCarryEachStrategysIdeal(t *testing.T) {
	run := fixtureSweep()
	// pool-apply beside them, run one task at a time at every pool size.
	for _, r := range slices.Clone(run.Results) {
		if r.Strategy == "pool-apply-async" {
			r.Strategy = "pool-apply"
			run.Results = append(run.Results, r)
		}
	}
	run.Config.Strategies = append(run.Config.Strategies, "pool-apply")
	stats.Derive(run)
	pick := func(r *results.Result) (float64, float64, float64) {
		return r.WallSeconds.Median, r.WallSeconds.Min, r.WallSeconds.Max
	}
	speedup := func(series []*results.Result, i int) (float64, bool) { return stats.IdealSpeedup(series[i]) }
	for _, wl := range run.Config.Workloads {
		lines := sweepLines(run, wl, pick, speedup)
		if len(lines) != 3 {
			t.Fatalf("%s: %d lines, want goroutine-pool, pool-apply-async and pool-apply", wl, len(lines))
		}
		for _, sl := range lines {
			series := sweepSeries(run, sl.strategy, wl)
			if len(sl.ideals) != len(series) {
				t.Fatalf("%s, %s: %d ideal points for %d pool sizes", wl, sl.strategy, len(sl.ideals), len(series))
			}
			for i, pt := range sl.ideals {
				if want, _ := stats.IdealSpeedup(series[i]); pt.Y != want {
					t.Errorf("%s, %s at %d workers: ideal %g, want its own %g", wl, sl.strategy, series[i].PoolSize, pt.Y, want)
				}
			}
		}
	}
}

// Ideals that coincide take turns along the line, so that every
// strategy's colour shows; one on its own keeps the plain pattern.
func TestIdealDashesInterleaveCoincidingLines(t *testing.T) {
	a := plotter.XYs{{X: 1, Y: 2}, {X: 2, Y: 1}}
	b := plotter.XYs{{X: 1, Y: 2}, {X: 2, Y: 1 + 1e-9}} // a, to a chart
	c := plotter.XYs{{X: 1, Y: 2}, {X: 2, Y: 1.5}}
	cols := []color.Color{color.Black, color.White, color.Gray{Y: 1}}
	got := idealDashes([]plotter.XYs{a, c, b}, cols)
	dash, gap := idealStyle.Dashes[0], idealStyle.Dashes[1]
	if !slices.Equal(got[1].Dashes, idealStyle.Dashes) || got[1].DashOffs != 0 {
		t.Errorf("a line alone: dashes %v offset %v, want idealStyle's %v", got[1].Dashes, got[1].DashOffs, idealStyle.Dashes)
	}
	want := []vg.Length{dash, gap + dash + gap}
	for _, i := range []int{0, 2} {
		if !slices.Equal(got[i].Dashes, want) {
			t.Errorf("line %d of two that coincide: dashes %v, want %v", i, got[i].Dashes, want)
		}
	}
	if got[0].DashOffs == got[2].DashOffs {
		t.Errorf("two coinciding lines both at offset %v: one hides the other", got[0].DashOffs)
	}
	for i, s := range got {
		if s.Color != cols[i] {
			t.Errorf("line %d drawn in %v, want its strategy's %v", i, s.Color, cols[i])
		}
	}
}
