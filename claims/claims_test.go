package claims

import (
	"regexp"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// evaluate derives the stored figures, as the harness does when it
// assembles a run, then judges the claims.
func evaluate(run *results.Run) []results.Claim {
	stats.Derive(run)
	return Evaluate(run)
}

func TestEvaluate(t *testing.T) {
	const (
		holds = results.Holds
		not   = results.DoesNotHold
		part  = results.Partly
		none  = results.NotMeasured
	)
	type want struct {
		statement string
		kind      results.VerdictKind
		verdict   []string // substrings
		figures   []string // substrings
	}
	tests := []struct {
		name string
		run  *results.Run
		// all: want lists every claim; otherwise only the ones it checks.
		all  bool
		want []want
	}{
		{"the article's shape", fixture(), true, []want{
			{stmtThreadsCPU, part, []string{"holds only under GOMAXPROCS=1 (1.00×); goroutines 2.00×"},
				[]string{"goroutines 2.00× (1.00 s vs serial 2.00 s)", "goroutines-1cpu 1.00× (2.00 s)", "2 CPUs, 20.0 ms a task serially"}},
			{stmtThreadsIO, holds, []string{"holds (100×), even under GOMAXPROCS=1"}, []string{"goroutines 100× (50.0 ms vs serial 5.00 s)"}},
			{stmtProcPerTask, holds, []string{"holds: ≥50.0× the spawn time, ≥8.05× the peak RSS"},
				[]string{"cpu: 100 vs 10 processes; spawn median 200 ms vs 20.0 ms, summed 20.0 s vs 200 ms (100×); peak RSS 1.20 GiB vs 140 MiB (8.78×); wall 1.30 s vs 1.10 s (1.18×)",
					"io: 100 vs 10 processes", "process-per-task finished sooner"}},
			{stmtPoolTenfold, holds, []string{"holds: 9.09×, 91% of the ideal 10.0×"},
				[]string{"100 tasks of 50ms; a pool of 10: 9.09× (550 ms vs serial 5.00 s), ideal 10.0×"}},
			{stmtApplyAsync, holds, []string{"holds"},
				[]string{"cpu: apply 0.952×, apply_async 1.82×", "io: apply 0.990×, apply_async 9.09×"}},
			{stmtCallbackPID, holds, []string{"holds: every callback ran in the pool's owner, none in a worker that ran tasks"},
				[]string{"cpu: callbacks ran in pid 42; the tasks ran in workers 50, 51; the pool's owner was pid 42", "io: callbacks ran in pid 43"}},
			{stmtSharedLog, holds, []string{"holds: every unlocked append mode damaged the file (unlocked (Go processes, a 4.00 KiB buffer that splits records, O_APPEND, no lock)); locked, callback kept it whole"},
				[]string{"unlocked (Go processes, a 4.00 KiB buffer that splits records, O_APPEND, no lock): 7000/10000 intact, 3000 torn, 3000 lost, 0 duplicated",
					"locked (Go processes, O_APPEND, locked (flock)): 10000/10000 intact"}},
		}},

		// Claim 1 needs more tasks than CPUs, enough work a task and 2 CPUs.
		{"1 task on 2 CPUs", edit(func(r *results.Run) {
			shrink(r, 1)
			setWall(r, "serial", "cpu", 0.02)
			setWall(r, "goroutines", "cpu", 0.0194)
		}), false, []want{
			{stmtThreadsCPU, none, []string{"not measured: 1 task on 2 CPUs", "more tasks than CPUs"}, nil},
			{stmtThreadsIO, none, []string{"not measured: 1 task cannot overlap"}, nil},
		}},
		{"81 µs of total work", edit(func(r *results.Run) {
			setWall(r, "serial", "cpu", 81e-6)
			setWall(r, "goroutines", "cpu", 81e-6/0.194)
			setWall(r, "goroutines-1cpu", "cpu", 81e-6/0.19)
		}), false, []want{
			{stmtThreadsCPU, none, []string{"not measured: a cpu task took 0.810 µs serially, under the 1.00 ms a speed claim needs"}, nil},
		}},
		{"goroutines do not scale", edit(func(r *results.Run) { setWall(r, "goroutines", "cpu", 1.9) }), false, []want{
			{stmtThreadsCPU, holds, []string{"holds, for goroutines too (1.05×)"}, nil},
		}},
		{"one CPU", edit(func(r *results.Run) { r.Host.CPUs = 1; setWall(r, "goroutines", "cpu", 2.0) }), false, []want{
			{stmtThreadsCPU, none, []string{"not measured: a machine of 1 CPU"}, []string{"1 CPU"}},
			{stmtApplyAsync, holds, []string{"cpu: not measured: 1 CPU runs one cpu task at a time", "io: holds"}, nil},
		}},
		{"GOMAXPROCS=1 sped up", edit(func(r *results.Run) { setWall(r, "goroutines-1cpu", "cpu", 1.0) }), false, []want{
			{stmtThreadsCPU, not, []string{"does not hold, even under GOMAXPROCS=1 (2.00×)"}, nil},
		}},
		{"serial and goroutines only", keep("serial", "goroutines"), true, []want{
			{stmtThreadsCPU, not, []string{"does not hold for goroutines (2.00×)"}, nil},
			{stmtThreadsIO, holds, []string{"holds (100×)"}, nil},
		}},
		{"noisy goroutines, clear of the threshold", edit(func(r *results.Run) {
			each(r, "goroutines", "cpu", func(x *results.Result) { x.WallSeconds.Mean, x.WallSeconds.Stddev, x.WallSeconds.Max = 1.0, 0.3, 1.5 })
		}), false, []want{
			{stmtThreadsCPU, part, []string{"holds only under GOMAXPROCS=1", "caveat: goroutines on cpu: wall times spread with a CV of 30.0% (over 10%)"}, nil},
		}},
		{"flagged noisy, clear of the threshold", edit(func(r *results.Run) {
			each(r, "goroutines", "io", func(x *results.Result) {
				x.Noisy, x.NoisyReason = true, "in 3 of 3 trials other processes used 150% of a core beside it"
			})
		}), false, []want{
			{stmtThreadsIO, holds, []string{"holds (100×), even under GOMAXPROCS=1; caveat: goroutines on io: in 3 of 3 trials other processes used 150% of a core beside it"}, nil},
		}},
		{"noisy serial, either side of the threshold", edit(func(r *results.Run) {
			each(r, "serial", "cpu", func(x *results.Result) {
				x.WallSeconds = results.Summary{Median: 1.1, Mean: 1.1, Min: 0.67, Max: 1.56, Stddev: 0.6, N: 3}
			})
			setWall(r, "goroutines", "cpu", 1.24)
			each(r, "goroutines", "cpu", func(x *results.Result) { x.WallSeconds.Min, x.WallSeconds.Max = 0.81, 1.67 })
		}), false, []want{
			{stmtThreadsCPU, none, []string{"not measured: too noisy to tell (serial on cpu: wall times spread with a CV of 54.5% (over 10%)",
				"goroutines on cpu: its trials and serial's give 0.401× to 1.93×, either side of the 1.20× the verdict turns on"}, nil},
		}},

		{"pool's trials either side of the threshold", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "io", func(x *results.Result) { x.WallSeconds.Min, x.WallSeconds.Max = 0.5, 0.75 })
		}), false, []want{
			{stmtPoolTenfold, holds, []string{"holds: 9.09×, 91% of the ideal 10.0×; caveat: pool-apply-async on io: its trials and serial's give 6.67× to 10.0×, either side of the 7.50× the verdict turns on"}, nil},
		}},

		// Claim 2 needs the pool's figures and more tasks than workers.
		{"pool's spawn figures missing", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "", func(x *results.Result) { x.ProcessesSpawned, x.SpawnSeconds = 0, results.SpawnSummary{} })
		}), false, []want{
			{stmtProcPerTask, none, []string{"not measured (cpu: pool-apply-async on cpu has no spawn times; io: pool-apply-async on io has no spawn times)"}, nil},
		}},
		{"pool's memory missing", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "", func(x *results.Result) { x.PeakRSSBytes = results.Summary{} })
		}), false, []want{
			{stmtProcPerTask, none, []string{"not measured (cpu: pool-apply-async on cpu has no peak RSS; io:"}, nil},
		}},
		{"as many tasks as workers", edit(func(r *results.Run) { shrink(r, 10) }), false, []want{
			{stmtProcPerTask, none, []string{"not measured: 10 tasks in a pool of 10: a process per task starts no more processes than the pool"}, nil},
		}},
		{"process per task costs memory only", edit(func(r *results.Run) {
			each(r, "process-per-task", "", func(x *results.Result) { x.SpawnSeconds.Total = 0.3 })
		}), false, []want{
			{stmtProcPerTask, part, []string{"holds only for peak RSS (≥8.05×; spawn time ≥1.50×)"}, nil},
		}},
		{"process per task judged on cpu only", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "io", func(x *results.Result) { x.Errors, x.ErrorsTotal = 1, 3 })
		}), false, []want{
			{stmtProcPerTask, holds, []string{"holds: ≥100× the spawn time, ≥8.78× the peak RSS; on io not measured: pool-apply-async on io had 3 of 300 tasks fail"}, nil},
		}},
		{"memory as PSS", edit(func(r *results.Run) {
			each(r, "process-per-task", "", func(x *results.Result) { x.PeakPSSBytes.Median = 500 << 20 })
			each(r, "pool-apply-async", "", func(x *results.Result) { x.PeakPSSBytes.Median = 100 << 20 })
		}), false, []want{
			{stmtProcPerTask, holds, []string{"holds: ≥50.0× the spawn time, ≥5.00× the peak PSS"}, []string{"peak PSS 500 MiB vs 100 MiB (5.00×)"}},
		}},
		{"no serial", keep("goroutines", "process-per-task", "pool-apply-async"), true, []want{
			{stmtProcPerTask, holds, []string{"holds: ≥50.0× the spawn time, ≥8.05× the peak RSS"}, nil},
			{stmtCallbackPID, holds, nil, nil},
		}},

		// Claim 3 is about a pool of 10 and enough tasks to reach 10×.
		{"--workers 1 --tasks 10", func() *results.Run {
			run := keep("serial", "pool-apply", "pool-apply-async")
			shrink(run, 10)
			run.Config.Workers = 1
			each(run, "pool-apply-async", "", pool(1))
			setWall(run, "serial", "io", 0.1)
			setWall(run, "pool-apply-async", "io", 0.1/0.885)
			return run
		}(), false, []want{
			{stmtPoolTenfold, none, []string{"not measured: the claim is about a pool of 10; this run's pool-apply-async had a pool of 1"},
				[]string{"a pool of 1: 0.885×"}},
			{stmtApplyAsync, none, []string{"not measured: a pool of 1 runs one task at a time"}, nil},
		}},
		{"a pool of 10, 10 tasks", edit(func(r *results.Run) { shrink(r, 10) }), false, []want{
			{stmtPoolTenfold, none, []string{"not measured: 10 tasks fill a pool of 10 at most once"}, nil},
		}},
		{"a pool of 10, 25 tasks", edit(func(r *results.Run) {
			shrink(r, 25)
			setWall(r, "serial", "io", 1.25)
			setWall(r, "pool-apply-async", "io", 0.16)
		}), false, []want{
			{stmtPoolTenfold, none, []string{"not measured: 25 tasks in a pool of 10 allow at best 8.33×"}, nil},
		}},
		{"pool start-up longer than serial's run", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "io", func(x *results.Result) { x.SpawnSeconds.Total = 5.5 })
		}), false, []want{
			{stmtPoolTenfold, none, []string{"not measured: starting pool-apply-async's workers took 5.50 s, summed, and serial ran all the work in 5.00 s"}, nil},
			{stmtApplyAsync, holds, []string{"io: not measured: starting pool-apply-async's workers took 5.50 s", "cpu: holds"}, nil},
		}},
		{"pool far from ideal", edit(func(r *results.Run) { setWall(r, "pool-apply-async", "io", 1.0) }), false, []want{
			{stmtPoolTenfold, not, []string{"does not hold: 5.00×, 50% of the ideal 10.0×"}, nil},
		}},

		// On a sweep, claim 3 reads the pool of 10 and the others each size.
		{"sweep 1,10", sweep(5.0 / 6.57), false, []want{
			{stmtPoolTenfold, not, []string{"does not hold: 6.57×, 66% of the ideal 10.0×"}, []string{"a pool of 1: 0.980×", "a pool of 10: 6.57×"}},
			{stmtApplyAsync, holds, []string{"holds (a pool of 1: not measured: a pool of 1 runs one task at a time, through apply_async too; a pool of 10: holds)"},
				[]string{"a pool of 1, cpu: apply 0.980×, apply_async 0.980×", "a pool of 10, io: apply 0.990×, apply_async 6.57×"}},
			{stmtProcPerTask, holds, []string{"holds (a pool of 1: ≥500× the spawn time, ≥37.5× the peak RSS; a pool of 10: ≥50.0× the spawn time, ≥8.05× the peak RSS)"},
				[]string{"a pool of 1, cpu: 100 vs 1 processes"}},
		}},
		{"sweep 1,10, a pool of 10 near ideal", sweep(0.55), false, []want{
			{stmtPoolTenfold, holds, []string{"holds: 9.09×, 91% of the ideal 10.0×"}, nil},
		}},

		// Figures from failed tasks or other results are not judged.
		{"every pool task crashed", edit(func(r *results.Run) { failEvery(r, "pool-apply-async") }), false, []want{
			{stmtPoolTenfold, none, []string{"not measured: every task failed (pool-apply-async on io: 300 of 300)"}, nil},
			{stmtApplyAsync, none, []string{"not measured: every task failed (cpu: pool-apply-async on cpu: 300 of 300; io: pool-apply-async on io: 300 of 300)"}, nil},
			{stmtProcPerTask, none, []string{"not measured: every task failed (cpu: pool-apply-async on cpu"}, nil},
			{stmtCallbackPID, none, []string{"not measured: every task failed"}, nil},
		}},
		{"every task crashed", func() *results.Run {
			run := fixture()
			for _, s := range []string{"serial", "goroutines", "goroutines-1cpu", "process-per-task", "pool-apply", "pool-apply-async"} {
				failEvery(run, s)
			}
			return run
		}(), false, []want{
			// Nor is a speedup with no tasks done printed as a figure.
			{stmtThreadsCPU, none, []string{"not measured: every task failed (serial on cpu: 300 of 300)"}, []string{"goroutines — (", "goroutines-1cpu — ("}},
			{stmtThreadsIO, none, []string{"not measured: every task failed"}, []string{"goroutines — ("}},
			{stmtProcPerTask, none, []string{"not measured: every task failed"}, nil},
			{stmtPoolTenfold, none, []string{"not measured: every task failed"}, []string{"a pool of 10: — ("}},
			{stmtApplyAsync, none, []string{"not measured: every task failed"}, []string{"cpu: apply —, apply_async —"}},
			{stmtCallbackPID, none, []string{"not measured: every task failed"}, nil},
		}},
		{"some pool tasks failed", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "io", func(x *results.Result) { x.Errors, x.ErrorsTotal = 4, 12 })
		}), false, []want{
			{stmtPoolTenfold, none, []string{"not measured: pool-apply-async on io had 12 of 300 tasks fail"}, nil},
			{stmtCallbackPID, holds, nil, nil}, // where callbacks ran does not rest on times
		}},
		{"faster than its ideal beside other work", edit(func(r *results.Run) {
			setWall(r, "goroutines-1cpu", "cpu", 1.0)
			each(r, "serial", "cpu", func(x *results.Result) {
				x.Trials = []results.Trial{{NoisyReason: "other processes used 160% of a core beside it"}}
			})
		}), false, []want{
			{stmtThreadsCPU, none, []string{"not measured: goroutines-1cpu on cpu ran at 200% of its ideal while other work ran on the machine: its baseline was slowed"}, nil},
		}},
		{"checksum mismatch", edit(func(r *results.Run) {
			bad := false
			each(r, "goroutines", "cpu", func(x *results.Result) { x.ChecksumOK, x.Checksum = &bad, "0badc0de" })
		}), false, []want{
			{stmtThreadsCPU, none, []string{"not measured: goroutines on cpu computed other results than serial (checksum 0badc0de)"}, nil},
		}},
		{"errors counted per trial", edit(func(r *results.Run) {
			each(r, "serial", "io", func(x *results.Result) {
				x.Trials = []results.Trial{{Errors: 100}, {Errors: 100}, {Errors: 100}}
			})
		}), false, []want{
			{stmtThreadsIO, none, []string{"not measured: every task failed (serial on io: 300 of 300)"}, nil},
		}},

		// Claim 4.
		{"apply_async no faster on cpu", edit(func(r *results.Run) { setWall(r, "pool-apply-async", "cpu", 1.9) }), false, []want{
			{stmtApplyAsync, part, []string{"cpu: does not hold: apply_async gave 1.05×", "io: holds"}, nil},
		}},
		{"apply sped up", edit(func(r *results.Run) { setWall(r, "pool-apply", "io", 1.0); setWall(r, "pool-apply", "cpu", 1.0) }), false, []want{
			{stmtApplyAsync, not, []string{"does not hold (cpu: apply sped up 2.00×; io: apply sped up 5.00×)"}, nil},
		}},

		// Claim 5 sets callbacks' pids against the workers'.
		{"callback in a worker", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "cpu", func(x *results.Result) { x.CallbackPIDs = []int{42, 51} })
		}), false, []want{
			{stmtCallbackPID, part, []string{"cpu: does not hold: callbacks ran in worker 51, which ran tasks", "io: holds"},
				[]string{"cpu: callbacks ran in pid 42, 51"}},
		}},
		{"callback outside the owner", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "", func(x *results.Result) { x.CallbackPIDs = []int{99} })
		}), false, []want{
			{stmtCallbackPID, not, []string{"does not hold: callbacks ran in pid 99, not the pool's owner"}, nil},
		}},
		{"workers not recorded", edit(func(r *results.Run) {
			each(r, "pool-apply-async", "", func(x *results.Result) { x.WorkerPIDs = nil })
		}), false, []want{
			{stmtCallbackPID, none, []string{"not measured: the results do not say which workers ran the tasks"}, []string{"the tasks ran in workers not recorded"}},
		}},

		// Claim 6 is judged on the modes the tutorial's writers are.
		{"unlocked log came out whole", edit(func(r *results.Run) { r.Logging[0] = logMode("unlocked", 10000, 0, 0) }), false, []want{
			{stmtSharedLog, not, []string{"does not hold: unlocked appends kept every record whole: unlocked (Go processes"}, nil},
		}},
		{"locked log damaged", edit(func(r *results.Run) { r.Logging[1] = logMode("locked", 9999, 1, 1) }), false, []want{
			{stmtSharedLog, not, []string{"does not hold: locked damaged the file despite its lock or single writer"}, nil},
		}},
		{"no cross-process append", &results.Run{Logging: []results.LogMode{logMode("unlocked-noappend", 4000, 100, 5900), logMode("mutex", 10000, 0, 0)}}, true, []want{
			{stmtSharedLog, none, []string{"not measured: no mode had several processes append to the file (O_APPEND) without a lock"},
				[]string{"unlocked-noappend (Go processes, a 4.00 KiB buffer that splits records, no O_APPEND, no lock): 4000/10000 intact"}},
		}},
		{"whole records stayed intact, split records did not", &results.Run{Logging: []results.LogMode{
			logMode("unlocked", 6500, 3500, 3500),
			{Mode: "unlocked-record", Writers: 10, WritersKind: results.WritersPython, CrossProcess: true, OAppend: true,
				WriteUnit: results.WriteUnitBufferedWhole, RecordsExpected: 10000, RecordsIntact: 10000},
			logMode("locked", 10000, 0, 0),
		}}, true, []want{
			{stmtSharedLog, part, []string{"holds only for unlocked (Go processes, a 4.00 KiB buffer that splits records, O_APPEND, no lock), which damaged the file; " +
				"unlocked-record (python3 processes, buffered, flushed between records, O_APPEND, no lock) stayed intact"}, nil},
		}},
		{"no lock across processes", &results.Run{Logging: []results.LogMode{logMode("unlocked", 7000, 3000, 3000), logMode("mutex", 10000, 0, 0)}}, true, []want{
			{stmtSharedLog, part, []string{"holds in part: unlocked appends damaged the file", "no lock or single writer across processes was run"}, nil},
		}},

		// CPython's own strategies, each against py-serial.
		{"CPython", python(), true, []want{
			{stmtThreadsCPU + ", measured on CPython", holds, []string{"holds: py-threads 0.952×"},
				[]string{"py-threads 0.952× (2.10 s vs py-serial 2.00 s); 2 CPUs, 20.0 ms a task in py-serial"}},
			{stmtThreadsIO + ", measured on CPython", holds, []string{"holds (100×)"}, nil},
			{stmtProcPerTask + ", measured on CPython", holds, []string{"holds: ≥50.0× the spawn time, ≥8.05× the peak RSS"}, nil},
			{stmtPoolTenfold + ", measured on CPython", holds, []string{"holds: 9.09×, 91% of the ideal 10.0×"},
				[]string{"a pool of 10: 9.09× (550 ms vs py-serial 5.00 s)"}},
			{stmtApplyAsync + ", measured on CPython", holds, []string{"holds"}, nil},
		}},
		{"CPython callbacks", func() *results.Run {
			run := python()
			each(run, "py-pool-apply-async", "cpu", func(r *results.Result) { callbacks(70, []int{71, 72}, 70)(r) })
			each(run, "py-pool-apply-async", "io", func(r *results.Result) { callbacks(80, []int{81, 82}, 81)(r) })
			return run
		}(), false, []want{
			{stmtCallbackPID + ", measured on CPython", part, []string{"cpu: holds: every callback ran in the pool's owner", "io: does not hold: callbacks ran in worker 81"},
				[]string{"cpu: callbacks ran in pid 70; the tasks ran in workers 71, 72; the pool's owner was pid 70"}},
		}},
		{"CPython threads sped up cpu", func() *results.Run {
			run := python()
			setWall(run, "py-threads", "cpu", 1.0)
			return run
		}(), false, []want{
			{stmtThreadsCPU + ", measured on CPython", not, []string{"does not hold: py-threads 2.00×"}, nil},
		}},
		{"CPython, 1 task", func() *results.Run {
			run := python()
			shrink(run, 1)
			setWall(run, "py-serial", "cpu", 0.02)
			setWall(run, "py-threads", "cpu", 0.021)
			return run
		}(), false, []want{
			{stmtThreadsCPU + ", measured on CPython", none, []string{"not measured: 1 task on 2 CPUs"}, nil},
		}},

		{"nothing measured", &results.Run{}, true, nil},
		{"nil run", nil, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := evaluate(tt.run)

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
				if c.Kind != w.kind {
					t.Errorf("%q: kind %q, want %q (verdict %q)", w.statement, c.Kind, w.kind, c.Verdict)
				}
				// The tests' verdicts read as the claims command prints them.
				full := c.Verdict
				if len(c.Caveats) > 0 {
					full += "; caveat: " + strings.Join(c.Caveats, "; ")
				}
				for _, v := range w.verdict {
					if !strings.Contains(full, v) {
						t.Errorf("%q:\nverdict %q\nlacks   %q", w.statement, full, v)
					}
				}
				if strings.Contains(c.Verdict, "caveat") {
					t.Errorf("%q: a caveat in the verdict itself: %q", w.statement, c.Verdict)
				}
				for _, f := range w.figures {
					if !strings.Contains(c.Figures, f) {
						t.Errorf("%q:\nfigures %q\nlack    %q", w.statement, c.Figures, f)
					}
				}
				if c.Measurement == "" || c.ID == 0 || !c.Kind.Known() {
					t.Errorf("%q: no measurement, id or kind: %+v", w.statement, c)
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

// With the medians' 95% intervals stored, a straddle is judged on those,
// not on the extreme trials.
func TestStraddleUsesIntervals(t *testing.T) {
	ci := func(lo, hi float64) (*float64, *float64) { return &lo, &hi }
	run := edit(func(r *results.Run) {
		each(r, "pool-apply-async", "io", func(x *results.Result) { x.WallSeconds.Min, x.WallSeconds.Max = 0.5, 0.75 })
	})
	c, _ := byStatement(evaluate(run), stmtPoolTenfold)
	if len(c.Caveats) != 1 || !strings.HasPrefix(c.Caveats[0], "pool-apply-async on io: its trials and serial's give 6.67× to 10.0×") {
		t.Errorf("extreme trials either side of the threshold, no caveat: %q", c.Caveats)
	}
	each(run, "pool-apply-async", "io", func(x *results.Result) { x.WallSeconds.CILow, x.WallSeconds.CIHigh = ci(0.54, 0.56) })
	each(run, "serial", "io", func(x *results.Result) { x.WallSeconds.CILow, x.WallSeconds.CIHigh = ci(4.9, 5.1) })
	c, _ = byStatement(evaluate(run), stmtPoolTenfold)
	if c.Kind != results.Holds || c.Verdict != "holds: 9.09×, 91% of the ideal 10.0×" || len(c.Caveats) > 0 {
		t.Errorf("medians' intervals clear of the threshold: %s %q %q", c.Kind, c.Verdict, c.Caveats)
	}
	each(run, "pool-apply-async", "io", func(x *results.Result) { x.WallSeconds.CILow, x.WallSeconds.CIHigh = ci(0.5, 0.7) })
	c, _ = byStatement(evaluate(run), stmtPoolTenfold)
	if len(c.Caveats) != 1 || !strings.Contains(c.Caveats[0], "the 95% intervals of its median and serial's give 7.00× to 10.2×, either side of the 7.50×") {
		t.Errorf("medians' intervals either side of the threshold, no caveat: %q", c.Caveats)
	}
}

// A verdict that holds never rests on a pool slower than serial, whatever
// the pool size and task count.
func TestSlowerPoolNeverHolds(t *testing.T) {
	for _, workers := range []int{1, 2, 5, 10, 20} {
		for _, tasks := range []int{1, 10, 25, 100} {
			run := keep("serial", "pool-apply", "pool-apply-async")
			shrink(run, tasks)
			run.Config.Workers = workers
			each(run, "pool-apply-async", "", pool(workers))
			setWall(run, "pool-apply-async", "io", 1.02*find(run, "serial", "io").WallSeconds.Median)
			setWall(run, "pool-apply-async", "cpu", 1.02*find(run, "serial", "cpu").WallSeconds.Median)
			for _, c := range evaluate(run) {
				if c.Kind == results.Holds && (c.ID == 3 || c.ID == 4) {
					t.Errorf("%d workers, %d tasks: claim %d holds on a pool slower than serial: %s", workers, tasks, c.ID, c.Verdict)
				}
			}
		}
	}
}

// Every threshold a verdict uses is quoted in its claim's measurement.
func TestMeasurementStatesThresholds(t *testing.T) {
	want := map[string][]string{
		stmtThreadsCPU:  {"1.20× or more counts as a speedup", "more tasks than CPUs", "1.00 ms of serial work per task"},
		stmtThreadsIO:   {"1.20× or more counts as a speedup", "2 tasks or more"},
		stmtProcPerTask: {"at least 2.00× the pool's summed spawn time and peak RSS", "more tasks than the pool has workers"},
		stmtPoolTenfold: {"at least 75% of the ideal", "a pool of 10", "at least two waves", "9.00×"},
		stmtApplyAsync:  {"below 1.20× counts as no parallelism", "pools of 2 or more"},
		stmtSharedLog:   {"a file is whole when every record is intact and none is duplicated", "O_APPEND"},
	}
	got := evaluate(fixture())
	for stmt, ss := range want {
		c, ok := byStatement(got, stmt)
		for _, s := range ss {
			if !ok || !strings.Contains(c.Measurement, s) {
				t.Errorf("%q: measurement %q lacks %q", stmt, c.Measurement, s)
			}
		}
	}
}

// A result whose tasks all failed has no wall time to conclude from: the
// figures of claim 2 give no ratio of wall times and no remark on which
// finished sooner.
func TestCostFiguresConcludeNothingFromFailedRuns(t *testing.T) {
	run := fixture()
	failEvery(run, "process-per-task")
	for _, c := range Evaluate(run) {
		if c.Statement == stmtProcPerTask && (strings.Contains(c.Figures, "finished sooner") || regexp.MustCompile(`wall [^;]* \(`).MatchString(c.Figures)) {
			t.Errorf("claim 2's figures, every process-per-task task failed, conclude from wall time: %s", c.Figures)
		}
	}
}
