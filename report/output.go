package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/poolbench/poolbench/results"
)

// WriteFiles draws the run's charts once and writes them into dir as PNGs
// and, embedded, as report.html: what a saved run needs beside its
// results.json. It returns the PNGs' file names.
func WriteFiles(dir string, run *results.Run) ([]string, error) {
	charts, err := renderCharts(run)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	names := make([]string, 0, len(charts))
	for _, c := range charts {
		if err := results.WriteFileAtomic(filepath.Join(dir, c.File), c.PNG); err != nil {
			return names, fmt.Errorf("report: chart %s: %w", c.File, err)
		}
		names = append(names, c.File)
	}
	var page bytes.Buffer
	if err := htmlPage(&page, run, charts); err != nil {
		return names, err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "report.html"), page.Bytes()); err != nil {
		return names, fmt.Errorf("report: html: %w", err)
	}
	return names, nil
}
