// Package claims tests the statements of the tutorial poolbench follows
// against what a run measured: Evaluate reads a results.Run, CheckAPI
// exercises a small process pool. Each claim carries the figures it was
// judged on and a verdict computed from them with the thresholds below,
// which the claim's Measurement text quotes.
//
// A program that calls CheckAPI must call procpool.ServeIfWorker first
// thing in main (or TestMain), as every user of procpool must.
package claims

import (
	"fmt"
	"math"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// Thresholds the verdicts are computed with.
const (
	// MinSpeedup is the speedup over serial that counts as going faster;
	// below it, a strategy gave no useful parallelism.
	MinSpeedup = 1.2
	// NearIdeal is the share of the ideal speedup a pool must reach for
	// "about N× faster" to hold.
	NearIdeal = 0.75
	// CostRatio is how many times the pool's summed spawn time and peak
	// memory a process per task must take for "costs much more" to hold.
	CostRatio = 2.0
)

// The article's statements, as the claims table shows them.
const (
	stmtThreadsCPU   = "Threads do not speed up CPU-bound work (in Python, because of the GIL)"
	stmtThreadsIO    = "Threads do speed up I/O-bound work"
	stmtProcPerTask  = "One process per task costs much more than a pool (spawn cost, memory)"
	stmtPoolTenfold  = "A pool of 10 runs 100 sleeping tasks about 10× faster than serial"
	stmtApplyAsync   = "apply gives no parallelism; apply_async does"
	stmtCallbackPID  = "Callbacks run in the parent process"
	stmtSharedLog    = "Unlocked concurrent appends corrupt the log; a lock or a single writer keeps it whole"
	stmtJoinRunning  = "join before close or terminate is an error"
	stmtJoinNeeded   = "Workers only run once join is called"
	stmtTruthyResult = "The callback is called only when the task returns a value"
)

// Evaluate states each claim of the article that run has the data for, with
// its figures and verdict. Claims whose strategies, workloads or logging
// modes the run did not measure are left out.
func Evaluate(run *results.Run) []results.Claim {
	if run == nil {
		return nil
	}
	var out []results.Claim
	for _, eval := range []func(*results.Run) (results.Claim, bool){
		threadsCPU, threadsIO, processPerTask, poolTenfold, applyVsAsync, callbacksInParent, sharedLog,
	} {
		if c, ok := eval(run); ok {
			out = append(out, c)
		}
	}
	return out
}

// find returns the first result of strategy on workload that has a wall
// time, or nil.
func find(run *results.Run, strategy, workload string) *results.Result {
	for i := range run.Results {
		r := &run.Results[i]
		if r.Strategy == strategy && r.Workload == workload && r.WallSeconds.Median > 0 {
			return r
		}
	}
	return nil
}

// speedup is serial's median wall time over r's, on r's workload; 0 when the
// run has no serial result for it.
func speedup(run *results.Run, r *results.Result) float64 {
	base := find(run, "serial", r.Workload)
	if base == nil || r == nil {
		return 0
	}
	return base.WallSeconds.Median / r.WallSeconds.Median
}

// workloadsWith lists the run's workloads, in order, that have a result for
// every one of the strategies (and serial, when withSerial).
func workloadsWith(run *results.Run, withSerial bool, strategies ...string) []string {
	if withSerial {
		strategies = append([]string{"serial"}, strategies...)
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range run.Results {
		if seen[r.Workload] {
			continue
		}
		seen[r.Workload] = true
		ok := true
		for _, s := range strategies {
			ok = ok && find(run, s, r.Workload) != nil
		}
		if ok {
			out = append(out, r.Workload)
		}
	}
	return out
}

func taskSize(run *results.Run, workload string) string {
	if s := run.Config.TaskSize[workload]; s != "" {
		return " of " + s
	}
	return ""
}

func threadsCPU(run *results.Run) (results.Claim, bool) {
	base := find(run, "serial", "cpu")
	g, g1 := find(run, "goroutines", "cpu"), find(run, "goroutines-1cpu", "cpu")
	if base == nil || (g == nil && g1 == nil) {
		return results.Claim{}, false
	}
	cpus := run.Host.CPUs
	c := results.Claim{
		ID:        1,
		Statement: stmtThreadsCPU,
		Measurement: fmt.Sprintf("cpu workload, %s%s: serial's median wall time over that of one goroutine per task, "+
			"with the default GOMAXPROCS on a machine of %s and with GOMAXPROCS=1 (the GIL analogue); %s or more counts as a speedup",
			plural(base.Tasks, "task"), taskSize(run, "cpu"), plural(cpus, "CPU"), x(MinSpeedup)),
	}
	var figs []string
	var sg, s1 float64
	if g != nil {
		sg = speedup(run, g)
		figs = append(figs, fmt.Sprintf("goroutines %s (%s vs serial %s)", x(sg), dur(g.WallSeconds.Median), dur(base.WallSeconds.Median)))
	}
	if g1 != nil {
		s1 = speedup(run, g1)
		figs = append(figs, fmt.Sprintf("goroutines-1cpu %s (%s)", x(s1), dur(g1.WallSeconds.Median)))
	}
	c.Figures = strings.Join(figs, "; ") + "; " + plural(cpus, "CPU")
	switch {
	case g != nil && sg >= MinSpeedup && g1 != nil && s1 < MinSpeedup:
		c.Verdict = fmt.Sprintf("holds only under GOMAXPROCS=1 (%s); goroutines %s", x(s1), x(sg))
	case g != nil && sg >= MinSpeedup && g1 == nil:
		c.Verdict = fmt.Sprintf("does not hold for goroutines (%s)", x(sg))
	case g1 != nil && s1 >= MinSpeedup:
		c.Verdict = fmt.Sprintf("does not hold, even under GOMAXPROCS=1 (%s)", x(s1))
	case g == nil:
		c.Verdict = fmt.Sprintf("holds under GOMAXPROCS=1, the GIL analogue (%s)", x(s1))
	case cpus == 1:
		c.Verdict = "holds on this 1-CPU machine, for goroutines too"
	default:
		c.Verdict = fmt.Sprintf("holds, for goroutines too (%s)", x(sg))
	}
	return c, true
}

func threadsIO(run *results.Run) (results.Claim, bool) {
	base := find(run, "serial", "io")
	g, g1 := find(run, "goroutines", "io"), find(run, "goroutines-1cpu", "io")
	if base == nil || (g == nil && g1 == nil) {
		return results.Claim{}, false
	}
	c := results.Claim{
		ID:        1,
		Statement: stmtThreadsIO,
		Measurement: fmt.Sprintf("io workload, %s%s: serial's median wall time over that of one goroutine per task; %s or more counts as a speedup",
			plural(base.Tasks, "task"), taskSize(run, "io"), x(MinSpeedup)),
	}
	var figs []string
	best := 0.0
	for _, r := range []*results.Result{g, g1} {
		if r == nil {
			continue
		}
		s := speedup(run, r)
		best = max(best, s)
		f := fmt.Sprintf("%s %s (%s", r.Strategy, x(s), dur(r.WallSeconds.Median))
		if len(figs) == 0 {
			f += " vs serial " + dur(base.WallSeconds.Median)
		}
		figs = append(figs, f+")")
	}
	c.Figures = strings.Join(figs, "; ")
	if best >= MinSpeedup {
		c.Verdict = fmt.Sprintf("holds (%s)", x(best))
		if g1 != nil && speedup(run, g1) >= MinSpeedup {
			c.Verdict = fmt.Sprintf("holds (%s), even under GOMAXPROCS=1", x(best))
		}
	} else {
		c.Verdict = fmt.Sprintf("does not hold (%s at best)", x(best))
	}
	return c, true
}

func processPerTask(run *results.Run) (results.Claim, bool) {
	wls := workloadsWith(run, false, "process-per-task", "pool-apply-async")
	if len(wls) == 0 {
		return results.Claim{}, false
	}
	pool := find(run, "pool-apply-async", wls[0])
	c := results.Claim{
		ID:        2,
		Statement: stmtProcPerTask,
		Measurement: fmt.Sprintf("process-per-task against pool-apply-async (a pool of %d) on %s: processes started, the time each took "+
			"from start call to ready handshake (median, and summed per trial), peak RSS of the whole process tree and wall time, "+
			"medians over repeats; \"much more\" is at least %s the pool's summed spawn time and peak RSS",
			pool.Workers, strings.Join(wls, ", "), x(CostRatio)),
	}
	var figs, faster []string
	minSpawn, minRSS := math.Inf(1), math.Inf(1)
	for _, w := range wls {
		p, q := find(run, "process-per-task", w), find(run, "pool-apply-async", w)
		spawn := ratio(p.SpawnSeconds.Total, q.SpawnSeconds.Total)
		rss := ratio(p.PeakRSSBytes.Median, q.PeakRSSBytes.Median)
		wall := ratio(p.WallSeconds.Median, q.WallSeconds.Median)
		minSpawn, minRSS = min(minSpawn, spawn), min(minRSS, rss)
		f := fmt.Sprintf("%s: %d vs %d processes; spawn median %s vs %s, summed %s vs %s (%s); peak RSS %s vs %s (%s); wall %s vs %s (%s)",
			w, p.ProcessesSpawned, q.ProcessesSpawned,
			dur(p.SpawnSeconds.Median), dur(q.SpawnSeconds.Median),
			dur(p.SpawnSeconds.Total), dur(q.SpawnSeconds.Total), x(spawn),
			size(p.PeakRSSBytes.Median), size(q.PeakRSSBytes.Median), x(rss),
			dur(p.WallSeconds.Median), dur(q.WallSeconds.Median), x(wall))
		if wall < 1 {
			faster = append(faster, w)
		}
		figs = append(figs, f)
	}
	if len(faster) > 0 {
		figs = append(figs, "process-per-task finished sooner than the pool on "+strings.Join(faster, ", ")+": all its tasks run at once")
	}
	c.Figures = strings.Join(figs, "; ")
	switch {
	case minSpawn >= CostRatio && minRSS >= CostRatio:
		c.Verdict = fmt.Sprintf("holds: ≥%s the spawn time, ≥%s the memory", x(minSpawn), x(minRSS))
	case minSpawn >= CostRatio:
		c.Verdict = fmt.Sprintf("holds only for spawn time (≥%s; memory ≥%s)", x(minSpawn), x(minRSS))
	case minRSS >= CostRatio:
		c.Verdict = fmt.Sprintf("holds only for memory (≥%s; spawn time ≥%s)", x(minRSS), x(minSpawn))
	default:
		c.Verdict = fmt.Sprintf("does not hold: spawn time ≥%s, memory ≥%s", x(minSpawn), x(minRSS))
	}
	return c, true
}

func poolTenfold(run *results.Run) (results.Claim, bool) {
	base, p := find(run, "serial", "io"), find(run, "pool-apply-async", "io")
	if base == nil || p == nil || p.Workers < 1 {
		return results.Claim{}, false
	}
	waves := (p.Tasks + p.Workers - 1) / p.Workers
	ideal := float64(p.Tasks) / float64(waves)
	s := speedup(run, p)
	c := results.Claim{
		ID:        3,
		Statement: stmtPoolTenfold,
		Measurement: fmt.Sprintf("io workload: serial's median wall time over pool-apply-async's, against the ideal tasks / ⌈tasks / workers⌉ "+
			"(every worker busy in every wave, no overhead); \"about\" is at least %s of the ideal", pct(NearIdeal)),
		Figures: fmt.Sprintf("%s%s, a pool of %d: %s (%s vs serial %s); ideal %s, reached %s",
			plural(p.Tasks, "task"), taskSize(run, "io"), p.Workers, x(s), dur(p.WallSeconds.Median), dur(base.WallSeconds.Median),
			x(ideal), pct(s/ideal)),
	}
	if s >= NearIdeal*ideal {
		c.Verdict = fmt.Sprintf("holds: %s, %s of the ideal %s", x(s), pct(s/ideal), x(ideal))
	} else {
		c.Verdict = fmt.Sprintf("does not hold: %s, %s of the ideal %s", x(s), pct(s/ideal), x(ideal))
	}
	return c, true
}

func applyVsAsync(run *results.Run) (results.Claim, bool) {
	var wls []string
	for _, w := range workloadsWith(run, true, "pool-apply", "pool-apply-async") {
		if w == "cpu" || w == "io" {
			wls = append(wls, w)
		}
	}
	if len(wls) == 0 {
		return results.Claim{}, false
	}
	c := results.Claim{
		ID:        4,
		Statement: stmtApplyAsync,
		Measurement: fmt.Sprintf("speedup over serial of pool-apply (every task through blocking Apply) and of pool-apply-async (a pool of %d) on %s; "+
			"below %s counts as no parallelism, %s or more as parallelism",
			find(run, "pool-apply-async", wls[0]).Workers, strings.Join(wls, " and "), x(MinSpeedup), x(MinSpeedup)),
	}
	var figs, held, failed []string
	for _, w := range wls {
		sa := speedup(run, find(run, "pool-apply", w))
		sy := speedup(run, find(run, "pool-apply-async", w))
		figs = append(figs, fmt.Sprintf("%s: apply %s, apply_async %s", w, x(sa), x(sy)))
		switch {
		case sa < MinSpeedup && sy >= MinSpeedup:
			held = append(held, w)
		case sa >= MinSpeedup:
			failed = append(failed, fmt.Sprintf("%s: apply %s", w, x(sa)))
		default:
			failed = append(failed, fmt.Sprintf("%s: apply_async %s", w, x(sy)))
		}
	}
	c.Figures = strings.Join(figs, "; ") + "; " + plural(run.Host.CPUs, "CPU")
	switch {
	case len(failed) == 0:
		c.Verdict = "holds on " + strings.Join(wls, " and ")
	case len(held) > 0:
		c.Verdict = "holds only on " + strings.Join(held, " and ") + " (" + strings.Join(failed, "; ") + ")"
	default:
		c.Verdict = "does not hold (" + strings.Join(failed, "; ") + ")"
	}
	return c, true
}

func callbacksInParent(run *results.Run) (results.Claim, bool) {
	var figs, wrong []string
	for _, r := range run.Results {
		if r.Strategy != "pool-apply-async" || len(r.CallbackPIDs) == 0 || r.ParentPID == 0 {
			continue
		}
		figs = append(figs, fmt.Sprintf("%s: callbacks ran in pid %s; the pool's owner was pid %d", r.Workload, pids(r.CallbackPIDs), r.ParentPID))
		for _, pid := range r.CallbackPIDs {
			if pid != r.ParentPID {
				wrong = append(wrong, fmt.Sprintf("pid %d on %s", pid, r.Workload))
			}
		}
	}
	if len(figs) == 0 {
		return results.Claim{}, false
	}
	c := results.Claim{
		ID:          5,
		Statement:   stmtCallbackPID,
		Measurement: "pool-apply-async, last measured trial: the distinct pids that ran the result callbacks, against the pid of the trial process that owned the pool",
		Figures:     strings.Join(figs, "; "),
		Verdict:     "holds: every callback ran in the pool's owner",
	}
	if len(wrong) > 0 {
		c.Verdict = "does not hold: callbacks ran in " + strings.Join(wrong, ", ")
	}
	return c, true
}

// Logging modes that share the file with no coordination, and those that
// serialise their writers.
var (
	unsafeModes = map[string]bool{"unlocked": true, "unlocked-noappend": true}
	safeModes   = map[string]bool{"locked": true, "mutex": true, "channel": true, "callback": true}
)

func damaged(m results.LogMode) bool {
	return m.RecordsIntact < m.RecordsExpected || m.RecordsTorn > 0 || m.RecordsLost > 0 || m.RecordsDuplicated > 0
}

func sharedLog(run *results.Run) (results.Claim, bool) {
	var figs, unsafeWhole, safeDamaged []string
	var nUnsafe, nSafe int
	for _, m := range run.Logging {
		if !unsafeModes[m.Mode] && !safeModes[m.Mode] {
			continue
		}
		figs = append(figs, fmt.Sprintf("%s: %d/%d intact, %d torn, %d lost, %d duplicated",
			m.Mode, m.RecordsIntact, m.RecordsExpected, m.RecordsTorn, m.RecordsLost, m.RecordsDuplicated))
		if unsafeModes[m.Mode] {
			nUnsafe++
			if !damaged(m) {
				unsafeWhole = append(unsafeWhole, m.Mode)
			}
		} else {
			nSafe++
			if damaged(m) {
				safeDamaged = append(safeDamaged, m.Mode)
			}
		}
	}
	if nUnsafe+nSafe == 0 {
		return results.Claim{}, false
	}
	m := run.Logging[0]
	c := results.Claim{
		ID:        6,
		Statement: stmtSharedLog,
		Measurement: fmt.Sprintf("%d writers append %d records each to one file, once per mode; the file is read back and every record checked "+
			"(writer, sequence number, checksum): intact, torn, lost, duplicated; a file is whole when every record is intact and none is duplicated",
			m.Writers, m.RecordsExpected/max(m.Writers, 1)),
		Figures: strings.Join(figs, "; "),
	}
	switch {
	case len(safeDamaged) > 0:
		c.Verdict = "does not hold: " + strings.Join(safeDamaged, ", ") + " damaged the file"
	case nUnsafe == 0:
		c.Verdict = "holds only in part: no unlocked mode was run"
	case len(unsafeWhole) > 0:
		c.Verdict = "holds only in part: " + strings.Join(unsafeWhole, ", ") + " left the file whole on this run"
	case nSafe == 0:
		c.Verdict = "holds only in part: no locked mode was run"
	default:
		c.Verdict = "holds: only the unlocked modes damaged the file"
	}
	return c, true
}
