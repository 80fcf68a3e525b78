package claims

import (
	"fmt"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// speedWork says why the run's workload cannot show a speedup, or "": each
// task must be enough work for the strategy's overhead not to be what is
// timed.
func speedWork(run *results.Run, serial, workload string) string {
	if per := perTaskSeconds(run, serial, workload); per < MinTaskSeconds {
		return fmt.Sprintf("a %s task took %s serially, under the %s a speed claim needs; what was timed is overhead, not work",
			workload, dur(per), dur(MinTaskSeconds))
	}
	return ""
}

// startupDominates says why a pool's speed cannot be judged when starting
// its workers took longer, summed, than the baseline took for all the
// work: the article's tasks run for seconds, and a run scaled down so far
// measures the start-up, not what the pool does once started. "" otherwise.
func startupDominates(pool, base *results.Result) string {
	if pool == nil || base == nil || pool.SpawnSeconds.Total < base.WallSeconds.Median {
		return ""
	}
	return fmt.Sprintf("starting %s's workers took %s, summed, and %s ran all the work in %s: the run measures start-up; give it more or longer tasks",
		pool.Strategy, dur(pool.SpawnSeconds.Total), base.Strategy, dur(base.WallSeconds.Median))
}

// Claim 1, on CPU-bound work: threads (goroutines) do not speed it up in
// Python; in Go they do, unless GOMAXPROCS=1 stands in for the GIL.
func threadsCPU(run *results.Run) (results.Claim, bool) {
	base := find(run, "serial", "cpu")
	g, g1 := find(run, "goroutines", "cpu"), find(run, "goroutines-1cpu", "cpu")
	if base == nil || (g == nil && g1 == nil) {
		return results.Claim{}, false
	}
	n := cpus(run)
	c := results.Claim{
		ID:        1,
		Statement: stmtThreadsCPU,
		Measurement: fmt.Sprintf("cpu workload, %s%s: serial's median wall time over that of one goroutine per task, "+
			"with the default GOMAXPROCS on a machine of %s and with GOMAXPROCS=1 (the GIL analogue); %s or more counts as a speedup. "+
			"Judged only with more tasks than CPUs, on 2 CPUs or more, and at least %s of serial work per task",
			plural(base.Tasks, "task"), taskSize(run, "cpu"), plural(n, "CPU"), x(MinSpeedup), dur(MinTaskSeconds)),
	}
	var figs []string
	var sg, s1 float64
	if g != nil {
		sg = speedupOf(run, g)
		figs = append(figs, fmt.Sprintf("goroutines %s (%s vs serial %s)", xKnown(sg, MinSpeedup), dur(g.WallSeconds.Median), dur(base.WallSeconds.Median)))
	}
	if g1 != nil {
		s1 = speedupOf(run, g1)
		figs = append(figs, fmt.Sprintf("goroutines-1cpu %s (%s)", xKnown(s1, MinSpeedup), dur(g1.WallSeconds.Median)))
	}
	c.Figures = strings.Join(figs, "; ") + fmt.Sprintf("; %s, %s a task serially", plural(n, "CPU"), dur(perTaskSeconds(run, "serial", "cpu")))

	var j judgement
	switch {
	case firstRefusal(run, base, g, g1) != "":
		j = notMeasured("%s", firstRefusal(run, base, g, g1))
	case n < 2:
		j = notMeasured("a machine of 1 CPU runs one task at a time with or without a GIL")
	case base.Tasks <= n:
		j = notMeasured("%s on %s: goroutines can overlap no more tasks than there are; the claim needs more tasks than CPUs",
			plural(base.Tasks, "task"), plural(n, "CPU"))
	case speedWork(run, "serial", "cpu") != "":
		j = notMeasured("%s", speedWork(run, "serial", "cpu"))
	case g != nil && sg >= MinSpeedup && g1 != nil && s1 < MinSpeedup:
		j = judge(results.Partly, "holds only under GOMAXPROCS=1 (%s); goroutines %s", xAgainst(s1, MinSpeedup), xAgainst(sg, MinSpeedup))
	case g != nil && sg >= MinSpeedup && g1 == nil:
		j = judge(results.DoesNotHold, "does not hold for goroutines (%s)", xAgainst(sg, MinSpeedup))
	case g1 != nil && s1 >= MinSpeedup:
		j = judge(results.DoesNotHold, "does not hold, even under GOMAXPROCS=1 (%s)", xAgainst(s1, MinSpeedup))
	case g == nil:
		j = judge(results.Holds, "holds under GOMAXPROCS=1, the GIL analogue (%s)", xAgainst(s1, MinSpeedup))
	default:
		j = judge(results.Holds, "holds, for goroutines too (%s)", xAgainst(sg, MinSpeedup))
	}
	weigh(run, j, MinSpeedup, base, g, g1).set(&c)
	return c, true
}

// Claim 1, on I/O-bound work: threads do speed it up.
func threadsIO(run *results.Run) (results.Claim, bool) {
	base := find(run, "serial", "io")
	g, g1 := find(run, "goroutines", "io"), find(run, "goroutines-1cpu", "io")
	if base == nil || (g == nil && g1 == nil) {
		return results.Claim{}, false
	}
	c := results.Claim{
		ID:        1,
		Statement: stmtThreadsIO,
		Measurement: fmt.Sprintf("io workload, %s%s: serial's median wall time over that of one goroutine per task; %s or more counts as a speedup. "+
			"Judged only with 2 tasks or more and at least %s of serial time per task",
			plural(base.Tasks, "task"), taskSize(run, "io"), x(MinSpeedup), dur(MinTaskSeconds)),
	}
	var figs []string
	best, s1 := 0.0, 0.0
	for _, r := range []*results.Result{g, g1} {
		if r == nil {
			continue
		}
		s := speedupOf(run, r)
		best = max(best, s)
		if r == g1 {
			s1 = s
		}
		f := fmt.Sprintf("%s %s (%s", r.Strategy, xKnown(s, MinSpeedup), dur(r.WallSeconds.Median))
		if len(figs) == 0 {
			f += " vs serial " + dur(base.WallSeconds.Median)
		}
		figs = append(figs, f+")")
	}
	c.Figures = strings.Join(figs, "; ")

	var j judgement
	switch {
	case firstRefusal(run, base, g, g1) != "":
		j = notMeasured("%s", firstRefusal(run, base, g, g1))
	case base.Tasks < 2:
		j = notMeasured("1 task cannot overlap with another")
	case speedWork(run, "serial", "io") != "":
		j = notMeasured("%s", speedWork(run, "serial", "io"))
	case s1 >= MinSpeedup:
		j = judge(results.Holds, "holds (%s), even under GOMAXPROCS=1", xAgainst(best, MinSpeedup))
	case best >= MinSpeedup:
		j = judge(results.Holds, "holds (%s)", xAgainst(best, MinSpeedup))
	default:
		j = judge(results.DoesNotHold, "does not hold (%s at best)", xAgainst(best, MinSpeedup))
	}
	weigh(run, j, MinSpeedup, base, g, g1).set(&c)
	return c, true
}

// Claim 1 on CPython's own threads (py-threads against py-serial), where
// the article makes it: on cpu they should not speed up, because of the
// GIL; on io they should.
func pyThreads(run *results.Run, workload string) (results.Claim, bool) {
	const serial, threads = "py-serial", "py-threads"
	base, t := find(run, serial, workload), find(run, threads, workload)
	if base == nil || t == nil {
		return results.Claim{}, false
	}
	n := cpus(run)
	c := results.Claim{
		ID: 1,
		Measurement: fmt.Sprintf("%s workload, %s%s: %s's median wall time over that of %s (one thread per task, CPython's GIL), "+
			"both in the system python3; %s or more counts as a speedup. Judged only with at least %s of %s time per task",
			workload, plural(base.Tasks, "task"), taskSize(run, workload), serial, threads, x(MinSpeedup), dur(MinTaskSeconds), serial),
		Figures: fmt.Sprintf("%s %s (%s vs %s %s); %s, %s a task in %s", threads, xKnown(speedupOf(run, t), MinSpeedup), dur(t.WallSeconds.Median),
			serial, dur(base.WallSeconds.Median), plural(n, "CPU"), dur(perTaskSeconds(run, serial, workload)), serial),
	}
	s := speedupOf(run, t)
	var j judgement
	switch {
	case firstRefusal(run, base, t) != "":
		j = notMeasured("%s", firstRefusal(run, base, t))
	case speedWork(run, serial, workload) != "":
		j = notMeasured("%s", speedWork(run, serial, workload))
	case workload == "cpu" && n < 2:
		j = notMeasured("a machine of 1 CPU runs one task at a time with or without a GIL")
	case workload == "cpu" && base.Tasks <= n:
		j = notMeasured("%s on %s: threads can overlap no more tasks than there are; the claim needs more tasks than CPUs",
			plural(base.Tasks, "task"), plural(n, "CPU"))
	case base.Tasks < 2:
		j = notMeasured("1 task cannot overlap with another")
	case workload == "cpu" && s < MinSpeedup:
		j = judge(results.Holds, "holds: %s %s", threads, xAgainst(s, MinSpeedup))
	case workload == "cpu":
		j = judge(results.DoesNotHold, "does not hold: %s %s", threads, xAgainst(s, MinSpeedup))
	case s >= MinSpeedup:
		j = judge(results.Holds, "holds (%s)", xAgainst(s, MinSpeedup))
	default:
		j = judge(results.DoesNotHold, "does not hold (%s)", xAgainst(s, MinSpeedup))
	}
	c.Statement = stmtThreadsIO + families[1].suffix
	if workload == "cpu" {
		c.Statement = stmtThreadsCPU + families[1].suffix
		c.Measurement += ", more tasks than CPUs, and 2 CPUs or more"
	}
	weigh(run, j, MinSpeedup, base, t).set(&c)
	return c, true
}
