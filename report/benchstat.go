package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/poolbench/poolbench/results"
)

// benchPkg is the pkg: configuration line, so that benchstat groups these
// results with those of `go test -bench` on the module.
const benchPkg = "github.com/poolbench/poolbench"

// Benchstat writes every measured trial as a line of the Go benchmark format
// (golang.org/design/14313-benchmark-format), so that `benchstat old.txt
// new.txt` compares two runs with its own statistics. One trial is one
// iteration of one benchmark: BenchmarkPoolApplyAsync/cpu-2 is pool-apply-async
// on the cpu workload, on a 2-CPU host, and its ns/op is the trial's wall time.
//
// Only goos, goarch, pkg and cpu go in the header: benchstat splits tables on
// file configuration that differs, and the poolbench version or the date would
// differ between any two runs worth comparing.
func Benchstat(w io.Writer, run *results.Run) error {
	if run == nil {
		return errNilRun
	}
	ew := &errWriter{w: w}
	ew.printf("goos: %s\n", configValue(run.Host.OS))
	ew.printf("goarch: %s\n", configValue(run.Host.Arch))
	ew.printf("pkg: %s\n", benchPkg)
	if run.Host.CPUModel != "" {
		ew.printf("cpu: %s\n", configValue(run.Host.CPUModel))
	}
	// Unit metadata (golang.org/issue/43744) tells benchstat which way is
	// better for the units testing does not know, and which are counts that
	// repeating does not make more certain.
	ew.printf("Unit tasks/s better=higher\n")
	ew.printf("Unit spawns/op assume=exact\n")
	ew.printf("Unit errors/op assume=exact\n")

	type line struct {
		name    string
		metrics string
	}
	var lines []line
	width := 0
	for i := range run.Results {
		r := &run.Results[i]
		name := benchName(run, r)
		width = max(width, utf8.RuneCountInString(name))
		for _, t := range r.Trials {
			lines = append(lines, line{name, benchMetrics(r, &t)})
		}
	}
	for _, l := range lines {
		ew.printf("%-*s\t%8d\t%s\n", width, l.name, 1, l.metrics)
	}
	if ew.err != nil {
		return fmt.Errorf("report: benchstat: %w", ew.err)
	}
	return nil
}

// benchName is Benchmark<Strategy>/<workload>[/workers=N]-<cpus>. The
// workers key only appears in a sweep, where it tells the pool sizes apart;
// benchstat reads key=value parts of a name as configuration.
func benchName(run *results.Run, r *results.Result) string {
	var b strings.Builder
	b.WriteString("Benchmark")
	b.WriteString(nameWord(camel(r.Strategy)))
	b.WriteString("/" + nameWord(r.Workload))
	if isSweep(run) && r.PoolSize > 0 {
		b.WriteString("/workers=" + itoa(r.PoolSize))
	}
	if run.Host.CPUs > 0 {
		b.WriteString("-" + itoa(run.Host.CPUs))
	}
	return b.String()
}

// benchMetrics formats one trial's values, each a number and a unit with no
// space in it.
func benchMetrics(r *results.Result, t *results.Trial) string {
	var parts []string
	add := func(format string, v any, unit string) {
		parts = append(parts, fmt.Sprintf(format, v)+" "+unit)
	}
	// A trial whose every task failed completed nothing: it has no time
	// per batch, throughput or task latency to set beside another's,
	// however quickly it failed; its errors, CPU and memory are still said.
	completed := r.Tasks > 0 && t.Errors < r.Tasks
	if completed {
		add("%10d", nanos(t.WallSeconds), "ns/op")
	}
	if completed && t.WallSeconds > 0 {
		add("%.2f", float64(r.Tasks)/t.WallSeconds, "tasks/s")
	}
	add("%d", nanos(t.CPUUserSeconds), "user-ns/op")
	add("%d", nanos(t.CPUSystemSeconds), "sys-ns/op")
	if t.PeakPSSBytes > 0 {
		add("%d", t.PeakPSSBytes, "peak-PSS-B") // the headline memory figure
	}
	add("%d", t.PeakRSSBytes, "peak-RSS-B")
	add("%d", t.ProcessesSpawned, "spawns/op")
	if len(t.SpawnSeconds) > 0 {
		add("%d", nanos(median(t.SpawnSeconds)), "ns/spawn")
	}
	if completed && t.TaskSeconds.Count > 0 {
		add("%d", nanos(t.TaskSeconds.P50), "p50-ns/task")
		add("%d", nanos(t.TaskSeconds.P99), "p99-ns/task")
	}
	add("%d", t.Errors, "errors/op")
	return strings.Join(parts, "\t")
}

func nanos(secs float64) int64 { return int64(math.Round(secs * 1e9)) }

// nameWord keeps a name part free of the spaces and slashes that would split
// it in the benchmark format.
func nameWord(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '/' {
			return '_'
		}
		return r
	}, s)
}

// configValue keeps a configuration value on one line.
func configValue(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// median of a copy of vs; 0 for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
