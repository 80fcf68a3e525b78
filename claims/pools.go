package claims

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// Claim 3: a pool of 10 runs 100 sleeping tasks about 10× faster than
// serial. Judged on the pool of 10 only, and only with enough tasks for a
// pool of 10 to reach about 10×.
func poolTenfold(run *results.Run, fam family) (results.Claim, bool) {
	base := find(run, fam.serial, "io")
	pools := resultsOf(run, fam.async, "io")
	if base == nil || len(pools) == 0 {
		return results.Claim{}, false
	}
	c := results.Claim{
		ID:        3,
		Statement: stmtPoolTenfold + fam.suffix,
		Measurement: fmt.Sprintf("io workload: %s's median wall time over that of %s with a pool of %d, against the ideal: "+
			"the tasks in waves of %d, each wave one task's sleep long, no overhead; \"about\" is at least %s of the ideal. "+
			"Judged only on a pool of %d, with at least two waves of tasks and enough of them for the ideal to reach %s, "+
			"at least %s of serial time per task, and a serial run longer than the pool's summed start-up",
			fam.serial, fam.async, TenfoldPool, TenfoldPool, pct(NearIdeal), TenfoldPool, x(TenfoldMinIdeal), dur(MinTaskSeconds)),
	}
	var figs []string
	for _, p := range pools {
		figs = append(figs, fmt.Sprintf("%s: %s (%s vs %s %s), ideal %s", poolLabel(poolSize(run, p)), xKnown(speedupOf(run, p), 0),
			dur(p.WallSeconds.Median), fam.serial, dur(base.WallSeconds.Median), xKnown(idealSpeedupOf(p), 0)))
	}
	c.Figures = plural(base.Tasks, "task") + taskSize(run, "io") + "; " + strings.Join(figs, "; ")

	p := poolOf(run, fam.async, "io", TenfoldPool)
	var j judgement
	switch {
	case p == nil:
		var sizes []string
		for _, q := range pools {
			sizes = append(sizes, strconv.Itoa(poolSize(run, q)))
		}
		j = notMeasured("the claim is about a pool of %d; this run's %s had %s of %s", TenfoldPool, fam.async,
			map[bool]string{true: "a pool", false: "pools"}[len(sizes) == 1], strings.Join(sizes, ", "))
	case firstRefusal(run, base, p) != "":
		j = notMeasured("%s", firstRefusal(run, base, p))
	case p.Tasks < 2*TenfoldPool:
		j = notMeasured("%s fill a pool of %d at most once; the claim is about a pool that frees a slot for the next task, which needs %d tasks or more",
			plural(p.Tasks, "task"), TenfoldPool, 2*TenfoldPool)
	case idealSpeedupOf(p) == 0 || efficiencyOf(p) == 0:
		j = notMeasured("the run stores no ideal time for %s", who(p))
	case idealSpeedupOf(p) < TenfoldMinIdeal:
		j = notMeasured("%s in a pool of %d allow at best %s, short of the %s the claim states",
			plural(p.Tasks, "task"), TenfoldPool, x(idealSpeedupOf(p)), x(TenfoldPool))
	case speedWork(run, fam.serial, "io") != "":
		j = notMeasured("%s", speedWork(run, fam.serial, "io"))
	case startupDominates(p, base) != "":
		j = notMeasured("%s", startupDominates(p, base))
	default:
		s, ideal, eff := speedupOf(run, p), idealSpeedupOf(p), efficiencyOf(p)
		if eff >= NearIdeal {
			j = judge(results.Holds, "holds: %s, %s of the ideal %s", x(s), pctAgainst(eff, NearIdeal), x(ideal))
		} else {
			j = judge(results.DoesNotHold, "does not hold: %s, %s of the ideal %s", x(s), pctAgainst(eff, NearIdeal), x(ideal))
		}
		j = weigh(run, j, NearIdeal*ideal, base, p)
	}
	j.set(&c)
	return c, true
}

// Claim 4: apply gives no parallelism; apply_async does. Judged per pool
// size and workload.
func applyVsAsync(run *results.Run, fam family) (results.Claim, bool) {
	var wls []string
	for _, w := range workloadsWith(run, fam.serial, fam.apply, fam.async) {
		if w == "cpu" || w == "io" {
			wls = append(wls, w)
		}
	}
	if len(wls) == 0 {
		return results.Claim{}, false
	}
	c := results.Claim{
		ID:        4,
		Statement: stmtApplyAsync + fam.suffix,
		Measurement: fmt.Sprintf("speedup over %s of %s (every task through blocking apply) and of %s "+
			"with the same pool, on %s; below %s counts as no parallelism, %s or more as parallelism. "+
			"Judged only on pools of 2 or more, with 2 tasks or more, 2 CPUs or more for cpu, at least %s of serial work per task, "+
			"and a serial run longer than the pool's summed start-up",
			fam.serial, fam.apply, fam.async, strings.Join(wls, " and "), x(MinSpeedup), x(MinSpeedup), dur(MinTaskSeconds)),
	}
	var figs []string
	var parts []labelled
	sizes := poolSizes(run, fam.async, wls...)
	for _, size := range sizes {
		var wparts []labelled
		for _, w := range wls {
			y := poolOf(run, fam.async, w, size)
			a := poolOf(run, fam.apply, w, size)
			if a == nil {
				a = find(run, fam.apply, w)
			}
			if y == nil || a == nil {
				continue
			}
			sa, sy := speedupOf(run, a), speedupOf(run, y)
			f := fmt.Sprintf("%s: apply %s, apply_async %s", w, xKnown(sa, MinSpeedup), xKnown(sy, MinSpeedup))
			if len(sizes) > 1 {
				f = poolLabel(size) + ", " + f
			}
			figs = append(figs, f)
			base := find(run, fam.serial, w)
			var j judgement
			switch {
			case firstRefusal(run, base, a, y) != "":
				j = notMeasured("%s", firstRefusal(run, base, a, y))
			case size < 2:
				j = notMeasured("a pool of 1 runs one task at a time, through apply_async too")
			case y.Tasks < 2:
				j = notMeasured("1 task cannot run beside another")
			case w == "cpu" && cpus(run) < 2:
				j = notMeasured("1 CPU runs one cpu task at a time")
			case speedWork(run, fam.serial, w) != "":
				j = notMeasured("%s", speedWork(run, fam.serial, w))
			case startupDominates(y, base) != "":
				j = notMeasured("%s", startupDominates(y, base))
			case sa < MinSpeedup && sy >= MinSpeedup:
				j = judge(results.Holds, "holds")
			case sa >= MinSpeedup:
				j = judge(results.DoesNotHold, "does not hold: apply sped up %s", xAgainst(sa, MinSpeedup))
			default:
				j = judge(results.DoesNotHold, "does not hold: apply_async gave %s", xAgainst(sy, MinSpeedup))
			}
			wparts = append(wparts, labelled{w, weigh(run, j, MinSpeedup, base, a, y)})
		}
		parts = append(parts, labelled{poolLabel(size), combine(wparts)})
	}
	c.Figures = strings.Join(figs, "; ") + "; " + plural(cpus(run), "CPU")
	combine(parts).set(&c)
	return c, true
}

// workloadsWith lists the run's workloads, in order, that have a result for
// every one of the strategies.
func workloadsWith(run *results.Run, strategies ...string) []string {
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
