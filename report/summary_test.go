package report

import (
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// TestSummaryCPU checks the CPU column against what each trial used: the
// kernel books whole ticks to user or to system, so on short trials the
// split swings while the total holds, and the medians of the two halves
// must not be added.
func TestSummaryCPU(t *testing.T) {
	trial := func(user, sys float64) results.Trial {
		return results.Trial{CPUUserSeconds: user, CPUSystemSeconds: sys}
	}
	tests := []struct {
		name   string
		result results.Result
		want   string
	}{
		{"split swings", results.Result{
			CPUUserSeconds:   results.Summary{Median: 0.000034},
			CPUSystemSeconds: results.Summary{Median: 0},
			Trials:           []results.Trial{trial(0.003219, 0), trial(0.003031, 0), trial(0.000034, 0.00304), trial(0, 0.00298)},
		}, duration((0.003031 + 0.003074) / 2)},
		{"odd count", results.Result{
			Trials: []results.Trial{trial(0.08, 0.01), trial(0.07, 0.03), trial(0.09, 0.02)},
		}, duration(0.10)},
		{"no trials kept", results.Result{
			CPUUserSeconds:   results.Summary{Median: 0.2},
			CPUSystemSeconds: results.Summary{Median: 0.05},
		}, duration(0.25)},
	}
	col := -1
	for i, h := range summaryHeaders {
		if h == "CPU user+sys" {
			col = i
		}
	}
	if col < 0 {
		t.Fatal("no CPU user+sys column")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.result.Strategy = "serial"
			if got := summaryRow(&tt.result)[col]; got != tt.want {
				t.Errorf("CPU user+sys %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSummaryMarksNoisyAndShowsPSS: a noisy result says so in its row, and
// the memory column is PSS where the result has it, RSS where it has not.
func TestSummaryMarksNoisyAndShowsPSS(t *testing.T) {
	r := &results.Result{Strategy: "pool-map", PoolSize: 2, Concurrency: 2,
		WallSeconds:  results.Summary{Median: 1, N: 1},
		PeakRSSBytes: results.Summary{Median: 100 << 20, N: 1},
		PeakPSSBytes: results.Summary{Median: 20 << 20, N: 1},
		Noisy:        true}
	row := summaryRow(r)
	if !strings.HasPrefix(row[3], "noisy ") || row[0] != "pool-map" {
		t.Errorf("noisy result's row %q: want its wall marked noisy and its name kept", row)
	}
	if row[8] != bytesIEC(20<<20) {
		t.Errorf("memory column %q, want the PSS %q", row[8], bytesIEC(20<<20))
	}
	r.PeakPSSBytes, r.Noisy = results.Summary{}, false
	if row := summaryRow(r); row[8] != bytesIEC(100<<20) || strings.Contains(row[3], "noisy") {
		t.Errorf("row %q: want RSS without PSS, and no noisy mark", row)
	}
	// One trial has no spread; from two on, the wall shows one.
	if row := summaryRow(r); strings.Contains(row[3], "±") {
		t.Errorf("one trial's wall %q shows a spread", row[3])
	}
	r.WallSeconds = results.Summary{Median: 1, Stddev: 0.1, N: 3}
	if row := summaryRow(r); !strings.Contains(row[3], "± ") {
		t.Errorf("three trials' wall %q shows no spread", row[3])
	}
}

// The checksum sentence counts in words that fit its count.
func TestChecksumVerdict(t *testing.T) {
	ok, bad := true, false
	for _, tc := range []struct {
		name string
		oks  []*bool
		want string
	}{
		{"none checked", []*bool{nil}, ""},
		{"one, matching", []*bool{&ok}, "checksums: the one checked result matches serial's"},
		{"one, not matching", []*bool{&bad}, "checksums: the one checked result does not match serial's"},
		{"all of three", []*bool{&ok, &ok, &ok}, "checksums: all 3 checked results match serial's"},
		{"one of three off", []*bool{&ok, &bad, &ok}, "checksums: 1 of 3 checked results do not match serial's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := &results.Run{}
			for _, o := range tc.oks {
				run.Results = append(run.Results, results.Result{ChecksumOK: o})
			}
			if got := checksumVerdict(run); got != tc.want {
				t.Errorf("%q, want %q", got, tc.want)
			}
		})
	}
}
