package sharedlog

import (
	"context"
	"testing"
)

// BenchmarkModes runs every mode, the callback mode's pool included, at the
// default size (10 writers x 1000 records of 100 B to 4 KiB) and reports,
// besides the time, what survived: the intact, torn and lost records of a
// run, averaged over the runs, and the run's wall time (the writing alone,
// as results.LogMode has it).
//
//	go test -run '^$' -bench Modes ./sharedlog
func BenchmarkModes(b *testing.B) {
	for _, mode := range Modes() {
		b.Run(string(mode), func(b *testing.B) {
			var intact, torn, lost, bytes, wall float64
			runs := 0
			for b.Loop() {
				lm, err := Run(context.Background(), mode, Config{Dir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				runs++
				intact += float64(lm.RecordsIntact)
				torn += float64(lm.RecordsTorn)
				lost += float64(lm.RecordsLost)
				bytes += float64(lm.FileBytes)
				wall += lm.WallSeconds
			}
			b.ReportMetric(intact/float64(runs), "intact/run")
			b.ReportMetric(torn/float64(runs), "torn/run")
			b.ReportMetric(lost/float64(runs), "lost/run")
			b.ReportMetric(bytes/float64(runs), "B/run")
			// The writing alone, without starting processes and checking.
			b.ReportMetric(wall/float64(runs), "wall-s/run")
		})
	}
}
