package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/poolbench/poolbench/results"
)

var csvHeader = []string{
	"strategy", "workload", "tasks", "pool_size", "concurrency", "repeat",
	"wall_seconds", "cpu_user_seconds", "cpu_system_seconds", "peak_pss_bytes", "peak_rss_bytes", "peak_cgroup_bytes",
	"processes_spawned", "spawn_total_seconds",
	"task_p50_seconds", "task_p95_seconds", "task_p99_seconds",
	"errors", "checksum",
}

// CSV writes one row per measured trial, not per summary, so that a
// spreadsheet or pandas can compute whatever statistic it likes. Floats are
// written in full precision.
func CSV(w io.Writer, run *results.Run) error {
	if run == nil {
		return errNilRun
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	for _, r := range run.Results {
		for _, t := range r.Trials {
			spawn := 0.0
			for _, s := range t.SpawnSeconds {
				spawn += s
			}
			row := []string{
				r.Strategy, r.Workload, itoa(r.Tasks), itoa(r.PoolSize), itoa(r.Concurrency), itoa(t.Repeat),
				ff(t.WallSeconds), ff(t.CPUUserSeconds), ff(t.CPUSystemSeconds),
				strconv.FormatUint(t.PeakPSSBytes, 10), strconv.FormatUint(t.PeakRSSBytes, 10), strconv.FormatUint(t.PeakCgroupBytes, 10),
				itoa(t.ProcessesSpawned), ff(spawn),
				ff(t.TaskSeconds.P50), ff(t.TaskSeconds.P95), ff(t.TaskSeconds.P99),
				itoa(t.Errors), t.Checksum,
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("report: csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	return nil
}

func ff(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
