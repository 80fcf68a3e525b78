package claims

import (
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// result builds a result of a strategy on a workload with a median wall
// time, as the harness would aggregate it; opts fill in the rest.
func result(strategy, workload string, wall float64, opts ...func(*results.Result)) results.Result {
	r := results.Result{
		Strategy: strategy, Workload: workload, Tasks: 100, Workers: 1, Repeats: 3,
		WallSeconds:  results.Summary{Median: wall, Mean: wall, Min: wall, Max: wall, N: 3},
		PeakRSSBytes: results.Summary{Median: 16 << 20},
	}
	switch strategy {
	case "goroutines", "goroutines-1cpu", "process-per-task":
		r.Workers = 100
	case "pool-apply-async":
		r.Workers = 10
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func spawns(n int, median, total float64, rss float64) func(*results.Result) {
	return func(r *results.Result) {
		r.ProcessesSpawned = n
		r.SpawnSeconds = results.SpawnSummary{Count: n, Median: median, Total: total}
		r.PeakRSSBytes.Median = rss
	}
}

func callbacks(parent int, pids ...int) func(*results.Result) {
	return func(r *results.Result) { r.ParentPID, r.CallbackPIDs = parent, pids }
}

func logMode(mode string, intact, torn, lost int) results.LogMode {
	return results.LogMode{Mode: mode, Writers: 10, RecordsExpected: 10000, RecordsIntact: intact, RecordsTorn: torn, RecordsLost: lost}
}

// fixture is a run on 2 CPUs where goroutines scale and GOMAXPROCS=1 does
// not, a process per task costs 10× the pool, and the unlocked log is torn.
func fixture() *results.Run {
	return &results.Run{
		SchemaVersion: results.SchemaVersion,
		Host:          results.Host{CPUs: 2},
		Config:        results.Config{Workloads: []string{"cpu", "io"}, TaskSize: map[string]string{"cpu": "250k", "io": "50ms"}},
		Results: []results.Result{
			result("serial", "cpu", 2.0),
			result("goroutines", "cpu", 1.0),
			result("goroutines-1cpu", "cpu", 2.0),
			result("process-per-task", "cpu", 1.3, spawns(100, 0.2, 20, 1.2*(1<<30))),
			result("pool-apply", "cpu", 2.1, spawns(10, 0.02, 0.2, 140<<20)),
			result("pool-apply-async", "cpu", 1.1, spawns(10, 0.02, 0.2, 140<<20), callbacks(42, 42)),
			result("serial", "io", 5.0),
			result("goroutines", "io", 0.05),
			result("goroutines-1cpu", "io", 0.05),
			result("process-per-task", "io", 0.3, spawns(100, 0.1, 10, 1.1*(1<<30))),
			result("pool-apply", "io", 5.05, spawns(10, 0.02, 0.2, 140<<20)),
			result("pool-apply-async", "io", 0.55, spawns(10, 0.02, 0.2, 140<<20), callbacks(43, 43)),
		},
		Logging: []results.LogMode{
			logMode("unlocked", 7000, 3000, 3000),
			logMode("locked", 10000, 0, 0),
			logMode("callback", 10000, 0, 0),
		},
	}
}

// keep returns a copy of the fixture holding only the given strategies.
func keep(strategies ...string) *results.Run {
	run := fixture()
	var rs []results.Result
	for _, r := range run.Results {
		for _, s := range strategies {
			if r.Strategy == s {
				rs = append(rs, r)
			}
		}
	}
	run.Results, run.Logging = rs, nil
	return run
}

func edit(f func(*results.Run)) *results.Run {
	run := fixture()
	f(run)
	return run
}

// setWall changes the median wall time of one result.
func setWall(run *results.Run, strategy, workload string, wall float64) {
	for i := range run.Results {
		if r := &run.Results[i]; r.Strategy == strategy && r.Workload == workload {
			r.WallSeconds.Median = wall
		}
	}
}

func TestEvaluate(t *testing.T) {
	type want struct {
		statement string
		verdict   string
		figures   []string // substrings
	}
	tests := []struct {
		name string
		run  *results.Run
		// all: want lists every claim; otherwise only the ones it checks.
		all  bool
		want []want
	}{
		{"goroutines scale, 1cpu does not", fixture(), true, []want{
			{stmtThreadsCPU, "holds only under GOMAXPROCS=1 (1.00×); goroutines 2.00×",
				[]string{"goroutines 2.00× (1.00 s vs serial 2.00 s)", "goroutines-1cpu 1.00× (2.00 s)", "2 CPUs"}},
			{stmtThreadsIO, "holds (100×), even under GOMAXPROCS=1", []string{"goroutines 100× (50.0 ms vs serial 5.00 s)"}},
			{stmtProcPerTask, "holds: ≥50.0× the spawn time, ≥8.05× the memory",
				[]string{"cpu: 100 vs 10 processes; spawn median 200 ms vs 20.0 ms, summed 20.0 s vs 200 ms (100×); peak RSS 1.20 GiB vs 140 MiB (8.78×); wall 1.30 s vs 1.10 s (1.18×)",
					"io: 100 vs 10 processes", "process-per-task finished sooner than the pool on io"}},
			{stmtPoolTenfold, "holds: 9.09×, 91% of the ideal 10.0×",
				[]string{"100 tasks of 50ms, a pool of 10: 9.09× (550 ms vs serial 5.00 s); ideal 10.0×, reached 91%"}},
			{stmtApplyAsync, "holds on cpu and io", []string{"cpu: apply 0.952×, apply_async 1.82×", "io: apply 0.990×, apply_async 9.09×"}},
			{stmtCallbackPID, "holds: every callback ran in the pool's owner",
				[]string{"cpu: callbacks ran in pid 42; the pool's owner was pid 42", "io: callbacks ran in pid 43"}},
			{stmtSharedLog, "holds: only the unlocked modes damaged the file",
				[]string{"unlocked: 7000/10000 intact, 3000 torn, 3000 lost, 0 duplicated", "locked: 10000/10000 intact"}},
		}},
		{"serial and goroutines only", keep("serial", "goroutines"), true, []want{
			{stmtThreadsCPU, "does not hold for goroutines (2.00×)", nil},
			{stmtThreadsIO, "holds (100×)", nil},
		}},
		{"no serial", keep("goroutines", "process-per-task", "pool-apply-async"), true, []want{
			{stmtProcPerTask, "holds: ≥50.0× the spawn time, ≥8.05× the memory", nil},
			{stmtCallbackPID, "holds: every callback ran in the pool's owner", nil},
		}},
		{"goroutines do not scale", edit(func(r *results.Run) { setWall(r, "goroutines", "cpu", 1.9) }), false, []want{
			{stmtThreadsCPU, "holds, for goroutines too (1.05×)", nil},
		}},
		{"one CPU", edit(func(r *results.Run) { r.Host.CPUs = 1; setWall(r, "goroutines", "cpu", 2.0) }), false, []want{
			{stmtThreadsCPU, "holds on this 1-CPU machine, for goroutines too", []string{"1 CPU"}},
		}},
		{"GOMAXPROCS=1 sped up", edit(func(r *results.Run) { setWall(r, "goroutines-1cpu", "cpu", 1.0) }), false, []want{
			{stmtThreadsCPU, "does not hold, even under GOMAXPROCS=1 (2.00×)", nil},
		}},
		{"pool far from ideal", edit(func(r *results.Run) { setWall(r, "pool-apply-async", "io", 1.0) }), false, []want{
			{stmtPoolTenfold, "does not hold: 5.00×, 50% of the ideal 10.0×", nil},
		}},
		{"apply_async no faster on cpu", edit(func(r *results.Run) { setWall(r, "pool-apply-async", "cpu", 1.9) }), false, []want{
			{stmtApplyAsync, "holds only on io (cpu: apply_async 1.05×)", nil},
		}},
		{"callback in a worker", edit(func(r *results.Run) { r.Results[5].CallbackPIDs = []int{42, 99} }), false, []want{
			{stmtCallbackPID, "does not hold: callbacks ran in pid 99 on cpu", []string{"cpu: callbacks ran in pid 42, 99"}},
		}},
		{"unlocked log came out whole", edit(func(r *results.Run) { r.Logging[0] = logMode("unlocked", 10000, 0, 0) }), false, []want{
			{stmtSharedLog, "holds only in part: unlocked left the file whole on this run", nil},
		}},
		{"locked log damaged", edit(func(r *results.Run) { r.Logging[1] = logMode("locked", 9999, 1, 1) }), false, []want{
			{stmtSharedLog, "does not hold: locked damaged the file", nil},
		}},
		{"logging only", &results.Run{Logging: fixture().Logging}, true, []want{
			{stmtSharedLog, "holds: only the unlocked modes damaged the file", nil},
		}},
		{"nothing measured", &results.Run{}, true, nil},
		{"nil run", nil, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.run)
			if tt.all && len(got) != len(tt.want) {
				for _, c := range got {
					t.Logf("got %q: %s", c.Statement, c.Verdict)
				}
				t.Fatalf("%d claims, want %d", len(got), len(tt.want))
			}
			for _, w := range tt.want {
				c, ok := byStatement(got, w.statement)
				if !ok {
					t.Errorf("no claim %q", w.statement)
					continue
				}
				if c.Verdict != w.verdict {
					t.Errorf("%q:\nverdict %q\nwant    %q", w.statement, c.Verdict, w.verdict)
				}
				for _, f := range w.figures {
					if !strings.Contains(c.Figures, f) {
						t.Errorf("%q: figures %q lack %q", w.statement, c.Figures, f)
					}
				}
				if c.Measurement == "" || c.ID == 0 {
					t.Errorf("%q: no measurement or id: %+v", w.statement, c)
				}
			}
		})
	}
}

func byStatement(cs []results.Claim, statement string) (results.Claim, bool) {
	for _, c := range cs {
		if c.Statement == statement {
			return c, true
		}
	}
	return results.Claim{}, false
}

// Every threshold a verdict uses is quoted in its claim's measurement.
func TestMeasurementStatesThresholds(t *testing.T) {
	want := map[string]string{
		stmtThreadsCPU:  "1.20× or more counts as a speedup",
		stmtThreadsIO:   "1.20× or more counts as a speedup",
		stmtProcPerTask: "at least 2.00× the pool's summed spawn time and peak RSS",
		stmtPoolTenfold: "at least 75% of the ideal",
		stmtApplyAsync:  "below 1.20× counts as no parallelism",
		stmtSharedLog:   "a file is whole when every record is intact and none is duplicated",
	}
	got := Evaluate(fixture())
	for stmt, s := range want {
		c, ok := byStatement(got, stmt)
		if !ok || !strings.Contains(c.Measurement, s) {
			t.Errorf("%q: measurement %q lacks %q", stmt, c.Measurement, s)
		}
	}
}
