package report

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/poolbench/poolbench/results"
)

// configLine is a configuration line of golang.org/design/14313: a key
// that starts with a lower-case letter and holds no space or upper case,
// a colon, a space, and a value.
var configLine = regexp.MustCompile(`^[a-z][^\s:A-Z]*: \S`)

// TestBenchstatFormat checks every line against the benchmark data format,
// so that benchstat reads all of them: a line it cannot parse it skips in
// silence.
func TestBenchstatFormat(t *testing.T) {
	for name, run := range map[string]func() *benchRun{"run": fixtureBench, "sweep": fixtureSweepBench} {
		var buf bytes.Buffer
		if err := Benchstat(&buf, run().run); err != nil {
			t.Fatal(err)
		}
		results := 0
		sc := bufio.NewScanner(&buf)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "Benchmark"):
				checkResultLine(t, line)
				results++
			case strings.HasPrefix(line, "Unit "):
			case configLine.MatchString(line):
			default:
				t.Errorf("%s: line is neither configuration nor result: %q", name, line)
			}
		}
		if want := run().trials; results != want {
			t.Errorf("%s: %d result lines, want one per trial (%d)", name, results, want)
		}
	}
}

func checkResultLine(t *testing.T, line string) {
	t.Helper()
	f := strings.Fields(line)
	if r, _ := utf8.DecodeRuneInString(strings.TrimPrefix(f[0], "Benchmark")); !unicode.IsUpper(r) {
		t.Errorf("name %q: Benchmark must be followed by an upper-case letter", f[0])
	}
	if n, err := strconv.Atoi(f[1]); err != nil || n <= 0 {
		t.Errorf("%q: iterations %q is not a positive integer", line, f[1])
	}
	if len(f)%2 != 0 || len(f) < 4 || f[3] != "ns/op" {
		t.Errorf("%q: want name, iterations, then value-unit pairs starting with ns/op", line)
	}
	for i := 2; i+1 < len(f); i += 2 {
		if _, err := strconv.ParseFloat(f[i], 64); err != nil {
			t.Errorf("%q: value %q is not a number", line, f[i])
		}
	}
}

type benchRun struct {
	run    *results.Run
	trials int
}

func fixtureBench() *benchRun      { return countTrials(fixtureRun()) }
func fixtureSweepBench() *benchRun { return countTrials(fixtureSweep()) }

func countTrials(run *results.Run) *benchRun {
	n := 0
	for _, r := range run.Results {
		n += len(r.Trials)
	}
	return &benchRun{run, n}
}

func TestBenchName(t *testing.T) {
	run := fixtureSweep()
	if got := benchName(run, &run.Results[4]); got != "BenchmarkGoroutinePool/cpu/workers=8-2" {
		t.Errorf("sweep name = %q", got)
	}
	if got := camel("goroutines-1cpu"); got != "Goroutines1cpu" {
		t.Errorf("camel = %q", got)
	}
}

// TestBenchstatNoThroughputForFailures: a trial whose every task failed
// gets no tasks/s, ns/op or task latency, however quickly it failed (its
// errors are still there); one with a task left gets them all.
func TestBenchstatNoThroughputForFailures(t *testing.T) {
	run := fixtureRun()
	r := &run.Results[0]
	for i := range r.Trials {
		r.Trials[i].Errors = r.Tasks
	}
	r.Trials[0].Errors = r.Tasks - 1
	var buf bytes.Buffer
	if err := Benchstat(&buf, run); err != nil {
		t.Fatal(err)
	}
	var with, without int
	name := benchName(run, r)
	for _, line := range strings.Split(buf.String(), "\n") {
		if f := strings.Fields(line); len(f) == 0 || f[0] != name {
			continue
		}
		timed := 0
		for _, unit := range []string{"tasks/s", "ns/op", "p50-ns/task", "p99-ns/task"} {
			if strings.Contains(line, " "+unit) {
				timed++
			}
		}
		switch {
		case timed == 4:
			with++
		case timed == 0 && strings.Contains(line, " errors/op"):
			without++
		default:
			t.Errorf("a trial with some of its timings: %s", line)
		}
	}
	if with != 1 || without != len(r.Trials)-1 {
		t.Errorf("%d trials with timings and %d without; want 1 and %d:\n%s", with, without, len(r.Trials)-1, buf.String())
	}
}
