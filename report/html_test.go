package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assertSelfContained checks that a page needs nothing beyond itself: no
// script, no stylesheet or image fetched from elsewhere.
func assertSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, bad := range []string{"<script", "http://", "https://", "<link", "@import", "src=\"file:"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q; it must stand alone", bad)
		}
	}
}

func TestHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	assertSelfContained(t, page)
	for _, want := range []string{
		"Intel(R) Xeon(R) CPU @ 2.20GHz", "6.1.0-27-amd64", "go1.26.0", // host
		"pool-apply-async", "960.9 ms ± 160.0 ms", // summary
		"pool-map on cpu: unstable",                      // warnings
		"holds only when GOMAXPROCS=1", "unlocked-whole", // claims, logging
		`<span class="verdict mixed">holds only when GOMAXPROCS=1</span>`, // badge from the kind
		`<span class="verdict good">holds</span>`,
		"checksums: all 8 checked results match",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<img src=\"data:image/png;base64,"); n != 7 {
		t.Errorf("%d embedded charts, want 7", n)
	}
	if strings.Contains(page, "Partial run") {
		t.Error("a complete run is marked partial")
	}
}

func TestHTMLPartial(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, fixturePartial()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Partial run.", "does not match serial"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestWriteHTML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteHTML(dir, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "report.html" {
		t.Errorf("dir holds %v, want only report.html (no temporary file left)", entries)
	}
}

func TestWriter(t *testing.T) {
	for _, f := range Formats() {
		if _, err := Writer(f); err != nil {
			t.Errorf("Writer(%q): %v", f, err)
		}
	}
	_, err := Writer("yaml")
	if err == nil || !strings.Contains(err.Error(), "table, json, csv, markdown, benchstat, html") {
		t.Errorf("Writer(yaml) = %v, want an error listing the formats", err)
	}
	for _, f := range Formats() {
		w, _ := Writer(f)
		if err := w(&bytes.Buffer{}, nil); err == nil {
			t.Errorf("%s accepted a nil run", f)
		}
	}
}

func TestKnee(t *testing.T) {
	run := fixtureSweep()
	cases := []struct {
		strategy, workload string
		want               int
		ok                 bool
	}{
		{"goroutine-pool", "cpu", 2, true},
		{"goroutine-pool", "io", 16, true},
		{"pool-map", "cpu", 0, false},
	}
	for _, c := range cases {
		got, ok := Knee(run, c.strategy, c.workload)
		if got != c.want || ok != c.ok {
			t.Errorf("Knee(%s, %s) = %d, %v; want %d, %v", c.strategy, c.workload, got, ok, c.want, c.ok)
		}
	}
	// The smallest pool made the fastest by failing every task is no knee.
	smallest := -1
	for i, r := range run.Results {
		if r.Strategy == "goroutine-pool" && r.Workload == "cpu" && (smallest < 0 || r.PoolSize < run.Results[smallest].PoolSize) {
			smallest = i
		}
	}
	r := &run.Results[smallest]
	r.WallSeconds.Median, r.Errors = r.WallSeconds.Median/100, r.Tasks*max(1, len(r.Trials))
	for j := range r.Trials {
		r.Trials[j].Errors = r.Tasks
	}
	if got, ok := Knee(run, "goroutine-pool", "cpu"); !ok || got == r.PoolSize {
		t.Errorf("Knee = %d, %v: the pool size whose tasks all failed", got, ok)
	}
}

// A verdict's caveats go beside its figures on the page, and the terminal
// says there are some.
func TestClaimCaveats(t *testing.T) {
	run := fixtureRun()
	run.Claims[2].Caveats = []string{"pool-apply-async on io: wall times spread with a CV of 13% (over 10%)"}
	var page, table bytes.Buffer
	if err := HTML(&page, run); err != nil {
		t.Fatal(err)
	}
	if err := Table(&table, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), ". Caveats: pool-apply-async on io: wall times spread with a CV of 13% (over 10%)") {
		t.Error("page lacks the caveat")
	}
	if !strings.Contains(table.String(), "3. A pool of 10 runs 100 sleeping tasks about 10x faster than serial: holds (with caveats)") {
		t.Errorf("table does not mark the caveat:\n%s", table.String())
	}
}
