package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/poolbench/poolbench/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./report -update\n--- got ---\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		golden string
		write  Reporter
		run    func() *results.Run
	}{
		{"table.golden", Table, fixtureRun},
		{"markdown.golden", Markdown, fixtureRun},
		{"csv.golden", CSV, fixtureRun},
		{"benchstat.golden", Benchstat, fixtureRun},
		{"table-sweep.golden", Table, fixtureSweep},
		{"benchstat-sweep.golden", Benchstat, fixtureSweep},
		{"table-partial.golden", Table, fixturePartial},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.write(&buf, c.run()); err != nil {
				t.Fatal(err)
			}
			golden(t, c.golden, buf.Bytes())
		})
	}
}

// fixturePartial is an interrupted run with a checksum mismatch: the cases
// a reader must not miss.
func fixturePartial() *results.Run {
	run := fixtureRun()
	run.Partial = true
	run.Results = run.Results[:8] // only the cpu workload finished
	run.Config.Workloads = []string{"cpu"}
	bad := false
	r := &run.Results[7]
	r.ChecksumOK = &bad
	r.Checksum = "0c1d22e9b4f0"
	r.Warnings = []string{"2 callbacks ran outside the parent process"}
	run.Logging, run.Claims = nil, nil
	return run
}

// TestRunJSON keeps testdata/run.json, the fixture as a results file, in
// step with the fixture, and checks that JSON writes what Decode reads.
func TestRunJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	golden(t, "run.json", buf.Bytes())
	run, err := results.ReadFile(filepath.Join("testdata", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := JSON(&again, run); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("run.json does not survive a decode and encode unchanged")
	}
}
