package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// withPython adds CPython's pool beside Go's on every workload, as the
// harness derives it, with tasks hung on io.
func withPython() *results.Run {
	run := fixtureRun()
	for _, r := range slices.Clone(run.Results) {
		if r.Strategy != "pool-apply-async" {
			continue
		}
		py := r
		py.Strategy, py.GoCounterpart, py.Baseline = "py-pool-apply-async", r.Strategy, "py-serial"
		py.WallSeconds.Median *= 3
		ratio := 3.0
		py.WallRatioVsGo = &ratio
		if r.Workload == "io" {
			py.Errors, py.ErrorKinds = 2, map[string]int{"hung": 2}
		}
		run.Results = append(run.Results, py)
	}
	return run
}

func TestGoVsPythonChart(t *testing.T) {
	names, err := Charts(withPython(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(names, "go-vs-cpython.png"); i != 2 {
		t.Fatalf("charts = %v: want go-vs-cpython.png after the speedups", names)
	}
	if _, ok, _ := goVsPythonChart(fixtureRun()); ok {
		t.Error("a chart of ratios drawn for a run with none")
	}
}

func TestPythonNotes(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, withPython()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "against py-serial") != 1 {
		t.Errorf("the py-serial baseline is not said once:\n%s", out)
	}
	if !strings.Contains(out, "py-pool-apply-async on io: 2 tasks hung, because CPython's Pool waits forever") {
		t.Errorf("the hung tasks are not explained:\n%s", out)
	}
	if n := len(pythonNotes(fixtureRun())); n != 0 {
		t.Errorf("%d notes on a run without CPython", n)
	}
}
