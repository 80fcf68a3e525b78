package report

import (
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// samples returns a series every 10 ms for d seconds at a steady CPU
// percent.
func samples(d, pct float64) []results.Sample {
	var out []results.Sample
	for t := 0.0; t <= d+1e-9; t += 0.010 {
		out = append(out, results.Sample{Seconds: t, CPUPercent: pct})
	}
	out[0].CPUPercent = 0 // the first reading opens the first window
	return out
}

// TestSamplesSawCPU compares a trial's samples with its rusage, with
// shapes taken from real runs.
func TestSamplesSawCPU(t *testing.T) {
	tests := []struct {
		name      string
		samples   []results.Sample
		user, sys float64
		want      bool
	}{
		{"busy core, seen", samples(0.5, 100), 0.48, 0.02, true},
		{"two busy cores, seen", samples(1, 200), 1.9, 0.1, true},
		{"short cpu trial, unseen", samples(0.09, 0), 0.0898, 0, false},
		{"one window's plateau, most unseen", samples(0.13, 19.8), 0.107, 0.031, false},
		{"idle io trial", samples(0.2, 0), 0.0011, 0.0003, true},
		{"startup under a tick", samples(0.05, 0), 0.003, 0.004, true},
		{"no samples of CPU at all", samples(0.06, 0), 0.068, 0.02, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := results.Trial{Samples: tt.samples, CPUUserSeconds: tt.user, CPUSystemSeconds: tt.sys}
			if got := samplesSawCPU(&tr); got != tt.want {
				t.Errorf("samplesSawCPU = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCPUChartLeavesOutUnseen checks that a trial whose samples missed its
// CPU, or too short to draw, is not drawn as a line at 0%, that the caption
// says so, and that a chart with nothing faithful left is not drawn at all.
func TestCPUChartLeavesOutUnseen(t *testing.T) {
	result := func(strategy string, s []results.Sample, cpu float64) results.Result {
		return results.Result{Strategy: strategy, Workload: "cpu", Tasks: 20, Concurrency: 1,
			Trials: []results.Trial{{Samples: s, CPUUserSeconds: cpu, WallSeconds: s[len(s)-1].Seconds}}}
	}
	run := func(rs ...results.Result) *results.Run {
		return &results.Run{SchemaVersion: results.SchemaVersion, Host: results.Host{CPUs: 2},
			Config: results.Config{Workloads: []string{"cpu"}}, Results: rs}
	}
	tests := []struct {
		name    string
		run     *results.Run
		drawn   bool
		caption string // in the caption, or "" for no "Left out"
	}{
		{"all seen", run(result("serial", samples(0.5, 100), 0.5), result("goroutines", samples(0.3, 190), 0.56)), true, ""},
		{"one unseen", run(result("serial", samples(0.5, 100), 0.5), result("pool-map", samples(0.3, 10), 0.3)), true,
			"Left out, as shorter than ten of the kernel's 10 ms CPU ticks or with samples that saw under half the CPU " +
				"the trial used (see the summary for that): cpu: pool-map."},
		{"one too short", run(result("serial", samples(0.5, 100), 0.5), result("goroutines", samples(0.02, 0), 0.003),
			result("goroutine-pool", samples(0.03, 0), 0.003)), true, "cpu: goroutines, goroutine-pool."},
		{"none seen", run(result("serial", samples(0.09, 0), 0.09), result("goroutines", samples(0.07, 0), 0.09)), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok, err := cpuChart(tt.run)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.drawn {
				t.Fatalf("drawn %v, want %v", ok, tt.drawn)
			}
			if !ok {
				return
			}
			if len(c.PNG) == 0 {
				t.Error("no PNG")
			}
			left := strings.Contains(c.Caption, "Left out")
			if tt.caption == "" && left {
				t.Errorf("caption leaves out a faithful series: %s", c.Caption)
			}
			if tt.caption != "" && !strings.HasSuffix(c.Caption, " "+tt.caption) {
				t.Errorf("caption %q: want it to end %q", c.Caption, tt.caption)
			}
		})
	}
}
