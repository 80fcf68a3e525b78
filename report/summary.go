package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// unstableCV is the coefficient of variation of wall time above which a
// figure is flagged: beyond 10%, two runs of the same code can disagree by
// more than most of the differences a reader would act on.
const unstableCV = 0.10

func itoa(n int) string { return strconv.Itoa(n) }

// summaryHeaders are the columns of the per-workload summary, after
// hyperfine's: the median with its spread first, then what it cost.
var summaryHeaders = []string{
	"strategy", "pool", "at once", "wall (median ± σ)", "range (min … max)", "speedup",
	"efficiency", "CPU user+sys", "peak PSS", "spawned", "spawn median",
	"tasks/s", "errors",
}

var summaryNumeric = []bool{
	false, true, true, true, true, true,
	true, true, true, true, true,
	true, true,
}

// summaryGrids returns one summary table per workload.
func summaryGrids(run *results.Run) []grid {
	var out []grid
	for _, wl := range workloadsOf(run) {
		rs := resultsFor(run, wl)
		g := grid{Title: workloadTitle(run, wl, rs), Headers: summaryHeaders, Numeric: summaryNumeric}
		for _, r := range rs {
			g.Rows = append(g.Rows, summaryRow(r))
		}
		out = append(out, g)
	}
	return append(out, workloadGrids(run)...)
}

// workloadTitle says what one table measured: the workload, its task count
// and size (what each task moves, for payload; the command, for exec), and
// how many trials each figure summarises.
func workloadTitle(run *results.Run, wl string, rs []*results.Result) string {
	parts := []string{wl}
	if len(rs) > 0 {
		parts = append(parts, plural(rs[0].Tasks, "task"))
	}
	switch size := run.Config.TaskSize[wl]; {
	case wl == "payload" && run.Config.Payload != "":
		parts = append(parts, payloadLabel(run.Config.Payload))
	case wl == "exec" && run.Config.Cmd != "":
		parts = append(parts, "command "+strconv.Quote(run.Config.Cmd))
	case size != "" && size != "0": // a workload without a size
		parts = append(parts, "size "+size)
	}
	if len(rs) > 0 && rs[0].Repeats > 0 {
		parts = append(parts, plural(rs[0].Repeats, "trial")+" each")
	}
	return strings.Join(parts, " · ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

func summaryRow(r *results.Result) []string {
	w := r.WallSeconds
	wall := durationIn(w.Median, w.Median)
	if w.N > 1 { // one trial has no spread to show
		wall += " ± " + durationIn(w.Stddev, w.Median)
	}
	span := durationIn(w.Min, w.Median) + " … " + durationIn(w.Max, w.Median)
	speedup, eff := dash, dash
	if r.SpeedupVsSerial != nil {
		speedup = num(*r.SpeedupVsSerial) + "×"
	}
	if r.Efficiency != nil {
		eff = percent(*r.Efficiency)
	}
	pool, throughput := dash, dash
	if r.PoolSize > 0 {
		pool = itoa(r.PoolSize)
	}
	if r.TasksPerSecond != nil {
		throughput = rate(*r.TasksPerSecond)
	}
	spawnMedian := dash
	if r.SpawnSeconds.Count > 0 {
		spawnMedian = duration(r.SpawnSeconds.Median)
	}
	if r.Noisy {
		// Ahead of the figures, so that in the right-aligned column they
		// stay under the other rows'; the warnings say why.
		wall = "noisy " + wall
	}
	return []string{
		r.Strategy, pool, itoa(r.Concurrency), wall, span, speedup,
		eff, duration(cpuMedian(r)),
		bytesIEC(peakMemory(r).Median), itoa(r.ProcessesSpawned), spawnMedian,
		throughput, itoa(r.Errors),
	}
}

// peakMemory is the headline memory figure: the tree's PSS, in which the
// pages processes share (the binary's text) are split between them, or
// summed RSS for a results file that has no PSS.
func peakMemory(r *results.Result) results.Summary {
	if r.PeakPSSBytes.N > 0 {
		return r.PeakPSSBytes
	}
	return r.PeakRSSBytes
}

// cpuMedian is the median over the trials of user plus system CPU. The sum
// of the two medians is not that: the kernel books a tick of CPU to user or
// to system whole, so on a short trial the split swings from trial to trial
// while the total holds, and a median taken of each half can be a tenth of
// the CPU any trial used.
func cpuMedian(r *results.Result) float64 {
	if len(r.Trials) == 0 {
		return r.CPUUserSeconds.Median + r.CPUSystemSeconds.Median
	}
	return median(trialValues(r, func(t *results.Trial) float64 { return t.CPUUserSeconds + t.CPUSystemSeconds }))
}

// warnings lists what a reader should distrust or look into, one sentence
// each: an interrupted run, unstable figures, checksum mismatches, failed
// tasks, and whatever the runner itself flagged.
func warnings(run *results.Run) []string {
	var out []string
	add := func(s string) {
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	if run.Partial {
		add("partial run: it stopped before the end (the notes say why), so these figures cover only the trials that finished")
	}
	for i := range run.Results {
		r := &run.Results[i]
		who := subject(run, r)
		if cv := r.WallSeconds.CV(); r.WallSeconds.N > 1 && cv > unstableCV {
			add(fmt.Sprintf("%s: unstable, CV %s > %s", who, percentOver(cv, unstableCV), percent(unstableCV)))
		}
		if r.ChecksumOK != nil && !*r.ChecksumOK {
			add(fmt.Sprintf("%s: checksum %s does not match serial's: the results differ", who, r.Checksum))
		}
		if r.ErrorsTotal > 0 {
			add(fmt.Sprintf("%s: %s failed over %s%s%s", who, plural(r.ErrorsTotal, "task"), plural(max(r.Repeats, len(r.Trials)), "trial"), errorKinds(r.ErrorKinds), firstSample(r.ErrorSamples)))
		}
		for _, w := range r.Warnings {
			add(who + ": " + w)
		}
	}
	return out
}

// errorKinds formats {"crash": 2, "timeout": 1} as " (crash 2, timeout 1)".
func errorKinds(kinds map[string]int) string {
	if len(kinds) == 0 {
		return ""
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sortStrings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + " " + itoa(kinds[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func firstSample(samples []string) string {
	if len(samples) == 0 {
		return ""
	}
	return fmt.Sprintf(", e.g. %q", samples[0])
}

// checksumVerdict sums up the checksum comparison in one sentence, or ""
// when no result carries a checksum.
func checksumVerdict(run *results.Run) string {
	checked, bad := 0, 0
	for _, r := range run.Results {
		if r.ChecksumOK == nil {
			continue
		}
		checked++
		if !*r.ChecksumOK {
			bad++
		}
	}
	switch {
	case checked == 0:
		return ""
	case bad == 0 && checked == 1:
		return "checksums: the one checked result matches serial's"
	case bad == 0:
		return fmt.Sprintf("checksums: all %d checked results match serial's", checked)
	case checked == 1:
		return "checksums: the one checked result does not match serial's"
	default:
		return fmt.Sprintf("checksums: %d of %d checked results do not match serial's", bad, checked)
	}
}

// kneeNotes says, for a sweep, from which pool size each strategy is within
// 5% of its best wall time.
func kneeNotes(run *results.Run) []string {
	if !isSweep(run) {
		return nil
	}
	var out []string
	for _, wl := range workloadsOf(run) {
		for _, s := range strategiesOf(run) {
			if n := len(sweepSeries(run, s, wl)); n < 2 {
				continue
			}
			if k, ok := Knee(run, s, wl); ok {
				out = append(out, fmt.Sprintf("%s on %s: within 5%% of its best wall time from %s", s, wl, plural(k, "worker")))
			}
		}
	}
	return out
}

// payloadLabel is config.payload ("in=65536,out=1024") in units a reader
// takes in: "64 KiB in, 1 KiB out"; as recorded if it does not parse.
func payloadLabel(p string) string {
	var in, out uint64
	if _, err := fmt.Sscanf(p, "in=%d,out=%d", &in, &out); err != nil {
		return "payload " + p
	}
	return bytesIEC(float64(in)) + " in, " + bytesIEC(float64(out)) + " out"
}
