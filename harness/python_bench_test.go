package harness

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/stats"
)

// direct is a plain script of the kind a Python programmer would write to
// time the article's pool, kept beside pyref's own benchmark that uses it.
const direct = "../pyref/testdata/plain_pool.py"

// BenchmarkPythonAgreesWithDirect sets poolbench's py-pool-apply-async
// figures beside the plain script's, measured in turn in the same run, so
// that their ratio means something on a noisy machine; each side's figure
// is the median of its iterations, and the ratio the median of each
// iteration's. Run it with nine iterations or more (make gobench does): the
// plain script alone varies by 15% from one run to the next on two cores,
// as much as the noop target allows. Targets:
//
//	noop:    20,000 tasks, Pool(10): poolbench's tasks/s within 15% of the script's
//	article: 100 x 50 ms sleeps, Pool(10): poolbench's wall within 10% of the script's
func BenchmarkPythonAgreesWithDirect(b *testing.B) {
	in := needPython(b)
	script, err := filepath.Abs(direct)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, workload, size, sleep string
		tasks                       int
	}{
		{"noop-20k", "noop", "0", "0", 20_000},
		{"article", "io", "50ms", "0.05", 100},
	} {
		b.Run(c.name, func(b *testing.B) {
			var pb, py, ratios []float64
			for b.Loop() {
				cfg := Config{Workloads: []string{c.workload}, Strategies: []string{"py-pool-apply-async"},
					Tasks: c.tasks, Workers: 10, TaskSizes: map[string]string{c.workload: c.size},
					Repeat: 1, SampleInterval: DefaultInterval, TaskOutput: io.Discard}
				run, err := Run(context.Background(), cfg, nil)
				if err != nil {
					b.Fatal(err)
				}
				out, err := exec.Command(in.Path, "-I", script, strconv.Itoa(c.tasks), "10", c.sleep).Output()
				if err != nil {
					b.Fatalf("direct script: %v", err)
				}
				secs, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
				if err != nil {
					b.Fatal(err)
				}
				wall := run.Results[0].WallSeconds.Median
				pb, py = append(pb, wall), append(py, secs)
				ratios = append(ratios, wall/secs)
			}
			// Medians, as poolbench reports its own figures: one slow or
			// fast iteration of either side moves a mean by more than the
			// margin the target leaves. The ratio is the median of each
			// iteration's, whose two sides ran one after the other.
			pbMed, pyMed := stats.Median(pb), stats.Median(py)
			b.ReportMetric(pbMed, "poolbench-s")
			b.ReportMetric(pyMed, "script-s")
			b.ReportMetric(float64(c.tasks)/pbMed, "poolbench-tasks/s")
			b.ReportMetric(float64(c.tasks)/pyMed, "script-tasks/s")
			b.ReportMetric(stats.Median(ratios), "wall-ratio")
		})
	}
}
