package report

import (
	"bytes"
	"html"
	"math"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// miniRun builds a run from wall times per "strategy/workload"; CPU and
// memory follow the wall time so that every figure has trials.
func miniRun(walls map[string][]float64) *results.Run {
	run := fixtureBase("run")
	for _, key := range sortedKeys(walls) {
		s, wl, _ := strings.Cut(key, "/")
		r := results.Result{Strategy: s, Workload: wl, Tasks: 100, PoolSize: 4, Concurrency: 4, Repeats: len(walls[key])}
		for i, w := range walls[key] {
			r.Trials = append(r.Trials, results.Trial{Repeat: i, WallSeconds: w, CPUUserSeconds: w * 1.9,
				CPUSystemSeconds: w * 0.1, PeakRSSBytes: uint64(w * 100 * (1 << 20))})
		}
		r.WallSeconds = summarize(walls[key])
		run.Results = append(run.Results, r)
		if !contains(run.Config.Workloads, wl) {
			run.Config.Workloads = append(run.Config.Workloads, wl)
		}
	}
	return run
}

func sortedKeys(m map[string][]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func TestCompare(t *testing.T) {
	old := miniRun(map[string][]float64{
		"pool-map/cpu":   {1.00, 1.01, 0.99, 1.02, 0.98},
		"goroutines/cpu": {0.50, 0.51, 0.49, 0.52, 0.50},
		"serial/cpu":     {2.0, 2.1, 1.9},
	})
	new := miniRun(map[string][]float64{
		"pool-map/cpu":   {1.20, 1.21, 1.19, 1.22, 1.18}, // 20% slower, every trial
		"goroutines/cpu": {0.49, 0.53, 0.50, 0.51, 0.48}, // same
		"serial/cpu":     {1.0, 1.1, 0.9},                // halved, but 3 trials
	})
	cmp, err := Compare(old, new)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]Row{}
	for _, r := range cmp.Rows {
		rows[r.Strategy] = r
	}
	pm := rows["pool-map"].Wall
	if !pm.Significant || math.Abs(pm.Change-0.2) > 1e-9 || math.Abs(pm.P-2.0/252) > 1e-9 {
		t.Errorf("pool-map: %+v, want significant +20%% with p = 2/C(10,5)", pm)
	}
	if g := rows["goroutines"].Wall; g.Significant || !strings.HasPrefix(g.Note, "p=") {
		t.Errorf("goroutines: %+v, want no significant change", g)
	}
	if s := rows["serial"].Wall; s.Significant || !strings.Contains(s.Note, "need >= 4 samples") {
		t.Errorf("serial: %+v, want ~ with need >= 4 samples", s)
	}
	if got := cmp.Regressions(10); len(got) != 1 || got[0].Strategy != "pool-map" {
		t.Errorf("Regressions(10) = %v, want pool-map", got)
	}
	if got := cmp.Regressions(25); len(got) != 0 {
		t.Errorf("Regressions(25) = %v, want none", got)
	}
	// Geomean of 1.2, 1.0, 0.5 is 0.843.
	if want := math.Cbrt(1.2*1.0*0.5) - 1; math.Abs(cmp.Geomean.Wall-want) > 1e-9 {
		t.Errorf("geomean = %v, want %v", cmp.Geomean.Wall, want)
	}

	var buf bytes.Buffer
	if err := CompareTable(&buf, cmp); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.golden", buf.Bytes())

	buf.Reset()
	if err := CompareHTML(&buf, cmp); err != nil {
		t.Fatal(err)
	}
	page := html.UnescapeString(buf.String())
	for _, want := range []string{"Significant slowdowns", "pool-map on cpu: wall time +20%", "data:image/png;base64,", "need >= 4 samples"} {
		if !strings.Contains(page, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}
	assertSelfContained(t, page)
}

func TestCompareErrors(t *testing.T) {
	cpu := miniRun(map[string][]float64{"serial/cpu": {1, 1, 1}})
	io := miniRun(map[string][]float64{"serial/io": {1, 1, 1}})
	other := miniRun(map[string][]float64{"pool-map/cpu": {1, 1, 1}})
	cases := []struct {
		name     string
		old, new *results.Run
		want     string
	}{
		{"different workloads", cpu, io, "different workloads (old: cpu; new: io)"},
		{"nothing shared", cpu, other, "share no strategy and workload"},
		{"nil", cpu, nil, "need two runs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compare(c.old, c.new)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestCompareSweepKeysOnWorkers(t *testing.T) {
	cmp, err := Compare(fixtureSweep(), fixtureSweep())
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Rows) != 22 {
		t.Fatalf("%d rows, want 22 (serial and 2 pools x 5 sizes, on 2 workloads)", len(cmp.Rows))
	}
	if cmp.Rows[0].Workers != 0 || cmp.Rows[1].Workers != 1 || len(cmp.Regressions(0)) != 0 {
		t.Errorf("rows = %+v", cmp.Rows[0])
	}
}

// TestCompareMemoryIsPSS: memory is compared on PSS, the headline figure,
// when both runs measured it, and on summed RSS when either did not.
func TestCompareMemoryIsPSS(t *testing.T) {
	withPSS := func(run *results.Run, pss uint64) *results.Run {
		for i := range run.Results {
			for j := range run.Results[i].Trials {
				run.Results[i].Trials[j].PeakPSSBytes = pss
			}
		}
		return run
	}
	walls := map[string][]float64{"serial/cpu": {1, 1.1, 0.9, 1.05}}
	cmp, err := Compare(withPSS(miniRun(walls), 10<<20), withPSS(miniRun(walls), 20<<20))
	if err != nil {
		t.Fatal(err)
	}
	if m := cmp.Rows[0].Memory; cmp.Memory != "peak PSS" || m.Old != 10<<20 || m.New != 20<<20 {
		t.Errorf("memory %q: %+v, want PSS 10 MiB -> 20 MiB", cmp.Memory, m)
	}
	var buf bytes.Buffer
	if err := CompareTable(&buf, cmp); err != nil || !strings.Contains(buf.String(), "peak PSS (median)") {
		t.Errorf("table lacks the PSS title (%v):\n%s", err, buf.String())
	}
	cmp, err = Compare(miniRun(walls), withPSS(miniRun(walls), 20<<20))
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Memory != "peak RSS" || cmp.Rows[0].Memory.New == 20<<20 {
		t.Errorf("with PSS on one side only: %q %+v, want RSS on both", cmp.Memory, cmp.Rows[0].Memory)
	}
}

// The trial counts read as benchstat prints them: one number when both
// runs had as many trials, both when they differ.
func TestPCellCounts(t *testing.T) {
	for _, tc := range []struct {
		d    Delta
		want string
	}{
		{Delta{OldN: 5, NewN: 5, Significant: true, P: 0.008}, "p=0.008 n=5"},
		{Delta{OldN: 5, NewN: 7, Significant: true, P: 0.003}, "p=0.003 n=5+7"},
		{Delta{OldN: 5, NewN: 5}, "n=5"},
		{Delta{OldN: 3, NewN: 3, Note: "p=0.100 n=3 (need >= 4 samples)"}, "p=0.100 n=3 (need >= 4 samples)"},
	} {
		if got := pCell(tc.d); got != tc.want {
			t.Errorf("pCell(%+v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// A result whose every task failed did none of the work: however fast, it
// is not compared (no change, out of the geomean, no regression), and the
// gate fails on it when the old run's tasks did not all fail, even if some
// did.
func TestCompareAllFailedIsNotASpeedup(t *testing.T) {
	old := miniRun(map[string][]float64{
		"serial/noop":     {1.00, 1.01, 0.99, 1.02, 0.98},
		"goroutines/noop": {0.50, 0.51, 0.49, 0.52, 0.50},
	})
	new := miniRun(map[string][]float64{
		"serial/noop":     {0.01, 0.01, 0.01, 0.01, 0.01}, // fast, because every task failed
		"goroutines/noop": {0.50, 0.52, 0.49, 0.51, 0.50},
	})
	for i := range old.Results {
		if old.Results[i].Strategy == "serial" {
			old.Results[i].Errors = 1
			for j := range old.Results[i].Trials {
				old.Results[i].Trials[j].Errors = 1
			}
		}
	}
	for i := range new.Results {
		if new.Results[i].Strategy == "serial" {
			new.Results[i].Errors = new.Results[i].Tasks
			for j := range new.Results[i].Trials {
				new.Results[i].Trials[j].Errors = new.Results[i].Tasks
			}
		}
	}
	cmp, err := Compare(old, new)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cmp.Rows {
		if r.Strategy != "serial" {
			continue
		}
		if r.Wall.Significant || !math.IsNaN(r.Wall.Change) || changeCell(r.Wall) != dash || !strings.Contains(pCell(r.Wall), "every task failed") {
			t.Errorf("serial, all failed: %+v shown as %q %q; want not compared", r.Wall, changeCell(r.Wall), pCell(r.Wall))
		}
	}
	if g := cmp.Geomean.Wall; math.Abs(g) > 0.05 {
		t.Errorf("wall geomean %+.0f%%: the failed result counted", 100*g)
	}
	if got := cmp.Regressions(0); len(got) != 0 {
		t.Errorf("regressions %v", got)
	}
	gate := cmp.GateFailures()
	if len(gate) != 1 || !strings.Contains(gate[0], "serial on noop has all its tasks failed, the old run 1 per trial") {
		t.Errorf("gate failures %q", gate)
	}
}

// A change measured on a busy machine is shown with a caution naming the
// noisy side and why.
func TestCompareCautionsNoisyResults(t *testing.T) {
	old := miniRun(map[string][]float64{
		"serial/cpu":     {1.00, 1.01, 0.99, 1.02, 0.98},
		"goroutines/cpu": {0.50, 0.51, 0.49, 0.52, 0.50},
	})
	new := miniRun(map[string][]float64{
		"serial/cpu":     {1.08, 1.09, 1.07, 1.10, 1.08}, // 8% slower in every trial
		"goroutines/cpu": {0.50, 0.52, 0.49, 0.51, 0.50},
	})
	const reason = "in 2 of 5 trials other processes used 91% of a core beside it"
	for i := range new.Results {
		if new.Results[i].Strategy == "serial" {
			new.Results[i].Noisy, new.Results[i].NoisyReason = true, reason
		}
	}
	cmp, err := Compare(old, new)
	if err != nil {
		t.Fatal(err)
	}
	want := "serial on cpu was flagged noisy, so its change may not be the code's: new, " + reason
	if got := cmp.Cautions(); len(got) != 1 || got[0] != want {
		t.Errorf("cautions %q, want only %q", got, want)
	}
	var table bytes.Buffer
	if err := CompareTable(&table, cmp); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), want) {
		t.Errorf("the table does not caution:\n%s", table.String())
	}
}
