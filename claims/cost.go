package claims

import (
	"fmt"
	"math"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// Claim 2: a process per task costs much more than a pool, in spawn time
// and memory; judged against each pool size the run measured.
func processPerTask(run *results.Run, fam family) (results.Claim, bool) {
	wls := workloadsWith(run, fam.perTask, fam.async)
	if len(wls) == 0 {
		return results.Claim{}, false
	}
	_, memName := memory(find(run, fam.async, wls[0]))
	c := results.Claim{
		ID:        2,
		Statement: stmtProcPerTask + fam.suffix,
		Measurement: fmt.Sprintf("%s against %s on %s: processes started, the time each took "+
			"from start call to ready handshake (median, and summed per trial), %s of the whole process tree and wall time, "+
			"medians over repeats; \"much more\" is at least %s the pool's summed spawn time and %s. "+
			"Judged only where both recorded spawn times and memory, and with more tasks than the pool has workers",
			fam.perTask, fam.async, strings.Join(wls, ", "), memName, x(CostRatio), memName),
	}
	var figs []string
	var parts []labelled
	sizes := poolSizes(run, fam.async, wls...)
	for _, size := range sizes {
		var refused []labelled
		judged := 0
		minSpawn, minMem := math.Inf(1), math.Inf(1)
		for _, w := range wls {
			p, q := find(run, fam.perTask, w), poolOf(run, fam.async, w, size)
			if p == nil || q == nil {
				continue
			}
			f, spawn, mem, why := costOf(p, q, size)
			if len(sizes) > 1 {
				f = poolLabel(size) + ", " + f
			}
			figs = append(figs, f)
			if why != "" {
				refused = append(refused, labelled{w, notMeasured("%s", why)})
				continue
			}
			judged++
			minSpawn, minMem = min(minSpawn, spawn), min(minMem, mem)
		}
		if judged == 0 {
			parts = append(parts, labelled{poolLabel(size), combine(refused)})
			continue
		}
		var j judgement
		switch {
		case minSpawn >= CostRatio && minMem >= CostRatio:
			j = judge(results.Holds, "holds: ≥%s the spawn time, ≥%s the %s", xAgainst(minSpawn, CostRatio), xAgainst(minMem, CostRatio), memName)
		case minSpawn >= CostRatio:
			j = judge(results.Partly, "holds only for spawn time (≥%s; %s ≥%s)", xAgainst(minSpawn, CostRatio), memName, xAgainst(minMem, CostRatio))
		case minMem >= CostRatio:
			j = judge(results.Partly, "holds only for %s (≥%s; spawn time ≥%s)", memName, xAgainst(minMem, CostRatio), xAgainst(minSpawn, CostRatio))
		default:
			j = judge(results.DoesNotHold, "does not hold: spawn time ≥%s, %s ≥%s", xAgainst(minSpawn, CostRatio), memName, xAgainst(minMem, CostRatio))
		}
		for _, r := range refused {
			j.text += "; on " + r.label + " " + r.text
		}
		// No caveat on wall-time noise: the verdict rests on spawn times
		// and memory.
		parts = append(parts, labelled{poolLabel(size), j})
	}
	c.Figures = strings.Join(figs, "; ")
	combine(parts).set(&c)
	return c, true
}

// costOf compares a process per task (p) with a pool of workers (q) on one
// workload: the figures, the ratios of summed spawn time and of memory, and
// why they cannot be judged, if they cannot.
func costOf(p, q *results.Result, workers int) (f string, spawn, mem float64, why string) {
	pm, memName := memory(p)
	qm, _ := memory(q)
	spawn, mem = ratio(p.SpawnSeconds.Total, q.SpawnSeconds.Total), ratio(pm, qm)
	f = fmt.Sprintf("%s: %d vs %d processes; spawn median %s vs %s, summed %s vs %s (%s); %s %s vs %s (%s); wall %s vs %s",
		p.Workload, p.ProcessesSpawned, q.ProcessesSpawned,
		dur(p.SpawnSeconds.Median), dur(q.SpawnSeconds.Median),
		dur(p.SpawnSeconds.Total), dur(q.SpawnSeconds.Total), xAgainst(spawn, CostRatio),
		memName, size(pm), size(qm), xAgainst(mem, CostRatio),
		dur(p.WallSeconds.Median), dur(q.WallSeconds.Median))
	if ownRefusal(p, q) == "" {
		f += " (" + x(ratio(p.WallSeconds.Median, q.WallSeconds.Median)) + ")"
	}
	missing := func(r *results.Result) string {
		m, _ := memory(r)
		switch {
		case r.ProcessesSpawned < 1 || r.SpawnSeconds.Total <= 0:
			return who(r) + " has no spawn times"
		case m <= 0:
			return who(r) + " has no " + memName
		}
		return ""
	}
	switch {
	case ownRefusal(p, q) != "":
		// Not slowedBaseline: the verdict rests on spawn times and
		// memory, not on a speedup.
		why = ownRefusal(p, q)
	case missing(p) != "":
		why = missing(p)
	case missing(q) != "":
		why = missing(q)
	case p.Tasks <= workers:
		why = fmt.Sprintf("%s in %s: a process per task starts no more processes than the pool", plural(p.Tasks, "task"), poolLabel(workers))
	}
	// A remark on what was measured only: a result that cannot be judged
	// on its own figures (its tasks failed, say) has no wall time to draw
	// a conclusion from.
	if ownRefusal(p, q) == "" && p.WallSeconds.Median < q.WallSeconds.Median {
		f += ", " + p.Strategy + " finished sooner: all its tasks run at once"
	}
	return f, spawn, mem, why
}
