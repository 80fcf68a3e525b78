package report

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

// fixtureWorkloads is a run of payload and skewed, with the figures those
// workloads add: bytes per task, the raw pipe, and finishing times.
func fixtureWorkloads() *results.Run {
	rng := rand.New(rand.NewPCG(5, 6))
	run := fixtureBase("run")
	run.Config.Workloads = []string{"payload", "skewed"}
	run.Config.Payload = "in=1048576,out=1048576"
	run.Config.WorkloadDocs = map[string]string{"payload": "data movement: each task receives and returns bytes"}
	for _, wl := range run.Config.Workloads {
		for _, s := range fixtureStrategies[:3] {
			r := fixtureResult(rng, s, "cpu", s.workers, s.wall["cpu"], fixtureStrategies[0].wall["cpu"])
			r.Workload = wl
			if wl == "payload" {
				r.BytesPerTask = 2 << 20
				r.PipeBytesPerSecond = ptrTo(1e9)
			}
			for i := range 21 {
				r.TaskFinishSeconds = append(r.TaskFinishSeconds, r.WallSeconds.Median*float64(i)/20)
			}
			run.Results = append(run.Results, r)
		}
	}
	stats.Derive(run)
	return run
}

func ptrTo(v float64) *float64 { return &v }

func TestWorkloadChartsAndTables(t *testing.T) {
	run := fixtureWorkloads()
	charts, err := renderCharts(run)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, c := range charts {
		files = append(files, c.File)
	}
	for _, want := range []string{"bytes.png", "finish-cdf.png"} {
		if !slices.Contains(files, want) {
			t.Errorf("charts %v lack %s", files, want)
		}
	}
	var pipeRow, tailRows int
	for _, g := range summaryGrids(run) {
		for _, row := range g.Rows {
			if strings.HasPrefix(g.Title, "payload: bytes moved") && row[0] == pipeLabel {
				pipeRow++
			}
			if strings.HasPrefix(g.Title, "skewed: the tail") {
				tailRows++
			}
		}
	}
	if pipeRow != 1 || tailRows != 3 {
		t.Errorf("payload table has %d raw pipe rows, skewed tail table %d rows; want 1 and 3", pipeRow, tailRows)
	}
	// The ratio printed is the stored one, not recomputed here.
	r := run.Results[1]
	if r.BytesPerSecondVsPipe == nil {
		t.Fatal("no ratio to the pipe derived")
	}
	var page bytes.Buffer
	if err := HTML(&page, run); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{percent(*r.BytesPerSecondVsPipe), "workload payload", "data movement", "in=1048576,out=1048576"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// A run without those workloads draws neither chart nor table.
func TestWorkloadChartsSkippedWithoutData(t *testing.T) {
	run := fixtureRun()
	for _, mk := range []chartMaker{bytesChart, finishChart} {
		if _, ok, err := mk(run); ok || err != nil {
			t.Errorf("drawn from a run without payload or skewed: ok=%v err=%v", ok, err)
		}
	}
	if g := workloadGrids(run); len(g) != 0 {
		t.Errorf("tables %v from a run without payload or skewed", g)
	}
}
