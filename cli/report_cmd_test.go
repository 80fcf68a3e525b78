package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/results"
)

// quickExit spares every race-built child of t (the command, and the trial
// processes of a run) the second the race detector sleeps at exit.
func quickExit(t *testing.T) {
	t.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// savedRun measures a small real run into dir and returns its results.json.
func savedRun(t *testing.T, dir string) string {
	t.Helper()
	code, _, stderr := runCLI(t, "run", "--workload", "noop", "--tasks", "5", "--repeat", "4", "--warmup", "0",
		"--strategies", "serial,goroutines", "--out", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	return filepath.Join(dir, "results.json")
}

// rewrite reads the run at from, lets edit change it, and writes it to to.
func rewrite(t *testing.T, from, to string, edit func(*results.Run)) string {
	t.Helper()
	run, err := results.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	edit(run)
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteFile(to, run); err != nil {
		t.Fatal(err)
	}
	return to
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkOneLine(t *testing.T, stderr, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q: want one line containing %q", stderr, want)
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("stderr has a stack trace: %s", stderr)
	}
}

// TestReportAndCompare measures two small real runs (each trial a process,
// which under -race costs seconds) and puts report and compare through
// their paces on them.
func TestReportAndCompare(t *testing.T) {
	quickExit(t)
	dir := t.TempDir()
	old := savedRun(t, filepath.Join(dir, "old"))
	new := savedRun(t, filepath.Join(dir, "new"))
	t.Run("bad input", func(t *testing.T) { testBadInput(t, old) })
	t.Run("report", func(t *testing.T) { testReportRerenders(t, old) })
	t.Run("formats", func(t *testing.T) { testReportFormats(t, new) })
	t.Run("compare", func(t *testing.T) { testCompare(t, old, new) })
	t.Run("compare guards", func(t *testing.T) { testCompareGuards(t, old) })
}

// testBadInput feeds report and compare every kind of file that is not a
// results file they can read, and every malformed call: each must be one
// line on stderr, exit status 2, and no file written.
func testBadInput(t *testing.T, good string) {
	dir := t.TempDir()
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(bad, "missing.json")
	empty := writeFile(t, filepath.Join(bad, "empty.json"), "")
	blank := writeFile(t, filepath.Join(bad, "blank.json"), " \n\t\n")
	truncated := writeFile(t, filepath.Join(bad, "truncated.json"), string(data[:len(data)/2]))
	text := writeFile(t, filepath.Join(bad, "text.json"), "strategy,workload\nserial,cpu\n")
	foreign := writeFile(t, filepath.Join(bad, "foreign.json"), `{"a":1}`)
	array := writeFile(t, filepath.Join(bad, "array.json"), `[{"schema_version":1}]`)
	journal := writeFile(t, filepath.Join(bad, "journal.jsonl"), `{"header":{"schema_version":2}}`+"\n"+`{"trial":{}}`+"\n")
	newer := writeFile(t, filepath.Join(bad, "newer.json"), strings.Replace(string(data),
		fmt.Sprintf(`"schema_version": %d,`, results.SchemaVersion), fmt.Sprintf(`"schema_version": %d,`, results.SchemaVersion+1), 1))
	older := writeFile(t, filepath.Join(bad, "older.json"), strings.Replace(string(data),
		fmt.Sprintf(`"schema_version": %d,`, results.SchemaVersion), `"schema_version": 1,`, 1))
	otherWorkload := rewrite(t, good, filepath.Join(bad, "cpu.json"), func(run *results.Run) {
		run.Config.Workloads = []string{"cpu"}
		for i := range run.Results {
			run.Results[i].Workload = "cpu"
		}
	})
	negative := rewrite(t, good, filepath.Join(bad, "negative.json"), func(run *results.Run) {
		run.Results[0].Trials[0].WallSeconds = -0.5
	})
	huge := writeFile(t, filepath.Join(bad, "huge.json"), regexp.MustCompile(`"wall_seconds": [0-9.e-]+`).ReplaceAllString(string(data), `"wall_seconds": 1`+strings.Repeat("0", 308)))

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"report negative duration", []string{"report", negative}, "negative.json: results[0].trials[0].wall_seconds is -0.5: a measurement cannot be negative"},
		{"report 309-digit duration", []string{"report", huge}, "huge.json: results[0].trials[0].wall_seconds is 1e+308, beyond any real measurement"},
		{"compare negative duration", []string{"compare", good, negative}, "negative.json: results[0].trials[0].wall_seconds is -0.5"},
		{"report missing file", []string{"report", missing}, missing + ": no such file or directory"},
		{"report a folder", []string{"report", bad}, bad + ": is a directory"},
		{"report empty file", []string{"report", empty}, "empty.json: empty file"},
		{"report blank file", []string{"report", blank}, "blank.json: empty file"},
		{"report truncated JSON", []string{"report", truncated}, "truncated.json: not a poolbench results file: the JSON ends early"},
		{"report not JSON", []string{"report", text}, "text.json: not a poolbench results file: not JSON"},
		{"report foreign JSON", []string{"report", foreign}, "foreign.json: not a poolbench results file: it has no schema_version"},
		{"report JSON array", []string{"report", array}, "array.json: not a poolbench results file: a JSON array, not an object"},
		{"report newer schema", []string{"report", newer}, fmt.Sprintf("newer.json: schema_version %d is newer than this poolbench reads (%d); upgrade poolbench",
			results.SchemaVersion+1, results.SchemaVersion)},
		{"report no file", []string{"report"}, "usage: poolbench report RESULTS.json|journal.jsonl (got 0 arguments)"},
		{"report two files", []string{"report", good, good}, "usage: poolbench report RESULTS.json|journal.jsonl (got 2 arguments)"},
		{"report bad format", []string{"report", good, "--format", "xml"}, `--format "xml": want one of table, json, csv, markdown, benchstat, html`},
		{"report unwritable out", []string{"report", good, "--out", "/proc/poolbench"}, "--out /proc/poolbench"},
		{"report unknown flag", []string{"report", good, "--charts"}, "unknown flag: --charts"},
		{"compare missing old", []string{"compare", missing, good}, missing + ": no such file or directory"},
		{"compare missing new", []string{"compare", good, missing}, missing + ": no such file or directory"},
		{"compare empty file", []string{"compare", good, empty}, "empty.json: empty file"},
		{"compare truncated JSON", []string{"compare", truncated, good}, "the JSON ends early"},
		{"compare foreign JSON", []string{"compare", good, foreign}, "it has no schema_version"},
		{"compare JSON array", []string{"compare", array, good}, "a JSON array, not an object"},
		{"compare a journal", []string{"compare", journal, good}, "journal.jsonl: a run's journal, not its results: `poolbench report` rebuilds"},
		{"claims from a journal", []string{"claims", "--from", journal}, "a run's journal, not its results"},
		{"compare newer schema", []string{"compare", good, newer}, "is newer than this poolbench reads"},
		{"report older schema", []string{"report", older}, "older.json: schema_version 1 is older than this poolbench reads (2): written by an older poolbench; re-run the measurement"},
		{"compare different workloads", []string{"compare", good, otherWorkload},
			"cannot compare " + good + " with " + otherWorkload + ": the runs measured different workloads (old: noop; new: cpu)"},
		{"compare one file", []string{"compare", good}, "usage: poolbench compare OLD.json NEW.json (got 1 argument)"},
		{"compare three files", []string{"compare", good, good, good}, "(got 3 arguments)"},
		{"compare negative threshold", []string{"compare", good, good, "--fail-on-regression", "-5"}, "--fail-on-regression -5: want a percentage of 0 or more"},
		{"compare NaN threshold", []string{"compare", good, good, "--fail-on-regression", "NaN"}, "--fail-on-regression NaN"},
		{"compare threshold not a number", []string{"compare", good, good, "--fail-on-regression", "ten"}, `invalid argument "ten" for "--fail-on-regression"`},
		{"compare unwritable out", []string{"compare", good, good, "--out", "/proc/poolbench"}, "--out /proc/poolbench"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr: %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("printed on stdout: %q", stdout)
			}
			checkOneLine(t, stderr, tt.want)
		})
	}
	for _, d := range []string{bad, filepath.Dir(good)} {
		for _, name := range []string{"report.html", "compare.html"} {
			if d == filepath.Dir(good) && name == "report.html" {
				continue // written by run
			}
			if _, err := os.Stat(filepath.Join(d, name)); err == nil {
				t.Errorf("bad input left %s in %s", name, d)
			}
		}
	}
}

// testReportRerenders gives report a folder holding only a run's
// results.json, and expects it to make the page and every chart the run
// made, beside the results or in --out, and to print the table.
func testReportRerenders(t *testing.T, saved string) {
	dir := t.TempDir()
	// A folder holding only the results: report must make everything else.
	path := rewrite(t, saved, filepath.Join(dir, "run", "results.json"), func(*results.Run) {})
	var charts []string
	made, err := filepath.Glob(filepath.Join(filepath.Dir(saved), "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range made {
		charts = append(charts, filepath.Base(f))
	}
	if len(charts) < 2 {
		t.Fatalf("run wrote %d charts (%v); want wall time, speedup and more", len(charts), charts)
	}

	tests := []struct {
		name string
		args []string
		dir  string
	}{
		{"beside the results", []string{"report", path}, filepath.Join(dir, "run")},
		{"into --out", []string{"report", path, "--out", filepath.Join(dir, "elsewhere", "new")}, filepath.Join(dir, "elsewhere", "new")},
		{"into --out, the folder of the same file", []string{"report", path, "--out", dir + "/run/../run"}, filepath.Join(dir, "run")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, want := range []string{"wall (median ± σ)", "serial", "goroutines", "noop · 5 tasks"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("table lacks %q:\n%s", want, stdout)
				}
			}
			checkOneLine(t, stderr, filepath.Join(tt.dir, "report.html"))
			page, err := os.ReadFile(filepath.Join(tt.dir, "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), "goroutines") {
				t.Errorf("report.html is not the report page: %.200s", page)
			}
			for _, c := range charts {
				if info, err := os.Stat(filepath.Join(tt.dir, c)); err != nil || info.Size() == 0 {
					t.Errorf("chart %s not written again: %v", c, err)
				}
			}
			if leftovers, _ := filepath.Glob(filepath.Join(tt.dir, ".*")); len(leftovers) > 0 {
				t.Errorf("temporary files left behind: %v", leftovers)
			}
		})
	}
	// Into a folder that holds another run's results.json, the report
	// would pass for that run's: refused, the folder left as it was.
	other := rewrite(t, saved, filepath.Join(dir, "other", "results.json"), func(*results.Run) {})
	expectUsage(t, "holds another run's results.json", "report", path, "--out", filepath.Dir(other))
	if _, err := os.Stat(filepath.Join(dir, "other", "report.html")); !os.IsNotExist(err) {
		t.Errorf("report.html written beside another run's results: %v", err)
	}
}

// testReportFormats checks every --format prints its own kind of output,
// and that an export on stdout leaves the results folder alone.
func testReportFormats(t *testing.T, saved string) {
	dir := filepath.Join(t.TempDir(), "run")
	path := rewrite(t, saved, filepath.Join(dir, "results.json"), func(*results.Run) {})
	want, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		format string
		check  func(t *testing.T, stdout string)
	}{
		{"table", func(t *testing.T, out string) { mustContain(t, out, "wall (median ± σ)", "goroutines") }},
		{"markdown", func(t *testing.T, out string) {
			mustContain(t, out, "| strategy | pool |", "| goroutines |")
		}},
		{"csv", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "strategy,workload,") || strings.Count(out, "\n") != 1+8 {
				t.Errorf("want a header and 8 trial rows:\n%s", out)
			}
		}},
		{"json", func(t *testing.T, out string) {
			got, err := results.Unmarshal([]byte(out))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Results) != len(want.Results) || !got.StartedAt.Equal(want.StartedAt) {
				t.Errorf("json is not the saved run: %d results, started %v", len(got.Results), got.StartedAt)
			}
		}},
		{"benchstat", func(t *testing.T, out string) {
			mustContain(t, out, "goos: linux", "BenchmarkSerial/noop", "BenchmarkGoroutines/noop", " ns/op")
		}},
		{"JSON", func(t *testing.T, out string) { mustContain(t, out, `"schema_version": 2`) }},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			os.Remove(filepath.Join(dir, "report.html"))
			code, stdout, stderr := runCLI(t, "report", path, "--format", tt.format)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tt.check(t, stdout)
			if _, err := os.Stat(filepath.Join(dir, "report.html")); err == nil {
				t.Errorf("--format %s wrote report.html; an export should only print", tt.format)
			}
		})
	}
	t.Run("html", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "page")
		code, stdout, stderr := runCLI(t, "report", path, "--format", "html", "--out", out)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		page := filepath.Join(out, "report.html")
		if strings.TrimSpace(stdout) != page {
			t.Errorf("printed %q, want the page's path %s", stdout, page)
		}
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "<!DOCTYPE html>") || !strings.Contains(string(data), "data:image/png;base64,") {
			t.Errorf("report.html lacks its embedded charts: %.200s", data)
		}
	})
}

func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// testCompare compares two real runs, and a constructed regression against
// the --fail-on-regression gate.
func testCompare(t *testing.T, old, new string) {
	dir := t.TempDir()
	// slowed is old with goroutines at least 50% slower on every trial than
	// on any trial of old: the Mann-Whitney test sees every new value above
	// every old one, p = 2/70 with 4 trials a side. slowedBy is the change
	// in percent, median to median: beyond 50%, and far beyond when one of
	// old's trials was slow (a loaded machine).
	var slowedBy float64
	slowed := rewrite(t, old, filepath.Join(dir, "slowed", "results.json"), func(run *results.Run) {
		for i := range run.Results {
			r := &run.Results[i]
			if r.Strategy != "goroutines" {
				continue
			}
			slowest := 0.0
			for _, tr := range r.Trials {
				slowest = max(slowest, tr.WallSeconds)
			}
			for j := range r.Trials {
				r.Trials[j].WallSeconds = slowest * (1.5 + 0.01*float64(j))
			}
			slowedBy = (slowest*1.515/r.WallSeconds.Median - 1) * 100
			r.WallSeconds.Median, r.WallSeconds.Mean, r.WallSeconds.Min, r.WallSeconds.Max = slowest*1.515, slowest*1.515, slowest*1.5, slowest*1.53
		}
	})
	same := rewrite(t, old, filepath.Join(dir, "same", "results.json"), func(*results.Run) {})
	// few is slowed measured with two trials: too few for any test to call
	// a change significant, which the gate must say rather than pass quietly.
	few := rewrite(t, slowed, filepath.Join(dir, "few", "results.json"), func(run *results.Run) {
		for i := range run.Results {
			run.Results[i].Trials = run.Results[i].Trials[:2]
		}
	})

	// The goroutines wall time row of the table, and the gate's message: the
	// change must be at least +50%, p = 2/70, and the same on both.
	regressed := regexp.MustCompile(`(?m)^  goroutines on noop .* \+(\d+)%  p=0\.029 n=4$`)
	gateMessage := regexp.MustCompile(`^poolbench: wall time regressed beyond 10%: goroutines on noop \+(\d+)% \(p=0\.029\)$`)
	tests := []struct {
		name      string
		args      []string
		code      int
		page      string // where compare.html should be
		regressed bool   // whether the table shows the goroutines regression
		warning   string // a warning on stderr, if any
		// measured: both runs were measured, so whether they differ is
		// the machine's doing (a loaded one may slow either), not the
		// test's to assert.
		measured bool
	}{
		{"two runs", []string{old, new}, 0, filepath.Join(filepath.Dir(new), "compare.html"), false, "", true},
		{"into --out", []string{old, new, "--out", filepath.Join(dir, "cmp")}, 0, filepath.Join(dir, "cmp", "compare.html"), false, "", true},
		{"regression beyond the gate", []string{old, slowed, "--fail-on-regression", "10"}, 1, filepath.Join(dir, "slowed", "compare.html"), true, "", false},
		{"regression within the gate", []string{old, slowed, "--fail-on-regression", strconv.Itoa(int(2*slowedBy) + 100)}, 0, filepath.Join(dir, "slowed", "compare.html"), true, "", false},
		{"regression without a gate", []string{old, slowed}, 0, filepath.Join(dir, "slowed", "compare.html"), true, "", false},
		{"no change, zero gate", []string{old, same, "--fail-on-regression", "0"}, 0, filepath.Join(dir, "same", "compare.html"), false, "", false},
		{"too few trials for the gate", []string{old, few, "--fail-on-regression", "10"}, 0, filepath.Join(dir, "few", "compare.html"), false,
			"warning: --fail-on-regression cannot fail on 2 of 2 wall times: serial on noop has 4+2 trials, too few for any change to reach p <= 0.05", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(tt.page)
			code, stdout, stderr := runCLI(t, append([]string{"compare"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if lines[0] != "comparison: "+tt.page {
				t.Errorf("stderr %q: want it to name %s first", stderr, tt.page)
			}
			row := regressed.FindStringSubmatch(stdout)
			if !tt.measured && tt.regressed != (row != nil) {
				t.Errorf("table shows the regression: %v, want %v:\n%s", row != nil, tt.regressed, stdout)
			}
			if tt.code == 1 {
				gate := gateMessage.FindStringSubmatch(lines[len(lines)-1])
				if len(lines) != 2 || gate == nil || row == nil {
					t.Fatalf("stderr %q: want the page, then the regression in one line", stderr)
				}
				if pct, _ := strconv.Atoi(gate[1]); pct < 50 || gate[1] != row[1] {
					t.Errorf("regression of %s%% on stderr, %s%% in the table; want the same figure, at least 50%%", gate[1], row[1])
				}
			} else if tt.warning != "" {
				if len(lines) != 2 || lines[1] != tt.warning {
					t.Errorf("stderr %q: want the page, then %q", stderr, tt.warning)
				}
			} else if len(lines) != 1 {
				t.Errorf("stderr %q: want only the page's path", stderr)
			}
			mustContain(t, stdout, "wall time (median)", "CPU user+sys (median)", "peak PSS (median)",
				"serial on noop", "goroutines on noop", "n=4")
			if got := strings.Count(stdout, "\n  geomean "); got != 3 {
				t.Errorf("%d geomean rows, want one per table:\n%s", got, stdout)
			}
			data, err := os.ReadFile(tt.page)
			if err != nil {
				t.Fatalf("compare.html: %v", err)
			}
			if !strings.HasPrefix(string(data), "<!DOCTYPE html>") || !strings.Contains(string(data), "goroutines on noop") {
				t.Errorf("compare.html is not the comparison page: %.200s", data)
			}
		})
	}

	// A reader that goes away (| head) does not take the gate's verdict
	// with it, whether it read standard output alone or both: the exit
	// status stays the gate's.
	for _, tc := range []struct {
		name        string
		args        []string
		code        int
		stderrToo   bool
		wantMessage string
	}{
		{"regression into a closed pipe", []string{old, slowed, "--fail-on-regression", "10"}, 1, false, "wall time regressed beyond 10%"},
		{"regression, stdout and stderr into a closed pipe", []string{old, slowed, "--fail-on-regression", "10"}, 1, true, ""},
		{"no regression into a closed pipe", []string{old, same, "--fail-on-regression", "0"}, 0, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			cmd := poolbench(append([]string{"compare"}, tc.args...)...)
			cmd.Stdout = w
			var stderr strings.Builder
			if tc.stderrToo {
				cmd.Stderr = w
			} else {
				cmd.Stderr = &stderr
			}
			err = cmd.Run()
			w.Close()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.wantMessage) {
				t.Errorf("stderr %q: want %q", stderr.String(), tc.wantMessage)
			}
		})
	}
}

// testCompareGuards: runs that measured different things are refused
// unless --force, and the gate fails a new run whose tasks fail where the
// old run's did not, or which lacks results, however fast it looks.
func testCompareGuards(t *testing.T, old string) {
	dir := t.TempDir()
	fewer := rewrite(t, old, filepath.Join(dir, "fewer", "results.json"), func(run *results.Run) {
		run.Config.Tasks = 3
		for i := range run.Results {
			run.Results[i].Tasks = 3
		}
	})
	sized := rewrite(t, old, filepath.Join(dir, "sized", "results.json"), func(run *results.Run) {
		run.Config.TaskSize = map[string]string{"noop": "7"}
	})
	expectUsage(t, "cannot compare "+old+" with "+fewer+": different task counts (old: 5; new: 3) (--force compares them anyway)", "compare", old, fewer)
	expectUsage(t, "different noop task sizes (old: 0; new: 7)", "compare", old, sized)
	code, out, stderr := runCLI(t, "compare", old, fewer, "--force", "--out", dir)
	if code != 0 {
		t.Fatalf("compare --force: exit %d: %s", code, stderr)
	}
	mustContain(t, out, "take care:", "compared although different task counts (old: 5; new: 3)")

	// A real run whose every task fails: fast, and worthless. It fails,
	// saying so, and keeps what it measured.
	failing := filepath.Join(dir, "failing")
	code, _, stderr = runCLI(t, "run", "--workload", "noop", "--tasks", "5", "--repeat", "4", "--warmup", "0",
		"--strategies", "serial,goroutines", "--inject", "error=1", "--out", failing, "--format", "json")
	if code != 1 {
		t.Fatalf("run --inject error=1: exit %d, want 1: %s", code, stderr)
	}
	mustContain(t, stderr, "poolbench: nothing measured: every task failed in every strategy (error 40); the first: injected task error\n")
	failed := filepath.Join(failing, "results.json")
	code, out, stderr = runCLI(t, "compare", old, failed, "--fail-on-regression", "5", "--out", dir)
	if code != 1 {
		t.Errorf("gate on a run whose tasks all failed: exit %d, want 1; stderr: %s", code, stderr)
	}
	mustContain(t, stderr, "the new run is worse: serial on noop has every task failing, the old run none")
	mustContain(t, out, "serial on noop has failed tasks: 0 old, all new")

	missing := rewrite(t, old, filepath.Join(dir, "missing", "results.json"), func(run *results.Run) {
		run.Results = run.Results[:1]
		run.Partial = true
	})
	code, out, stderr = runCLI(t, "compare", old, missing, "--fail-on-regression", "5", "--out", dir)
	if code != 1 {
		t.Errorf("gate on a run missing a result: exit %d, want 1; stderr: %s", code, stderr)
	}
	mustContain(t, stderr, "goroutines on noop is missing from the new run")
	mustContain(t, out, "the new run is partial")
}

// A finished claims run's journal rebuilds with the claims its trials
// judge, and says the pool's API checks, not journaled, are missing.
func TestClaimsJournalRebuildsWithClaims(t *testing.T) {
	path := filepath.Join(t.TempDir(), harness.JournalName)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	j := harness.NewJournal(f)
	j.Hold()
	run, err := harness.Run(context.Background(), harness.Config{
		Workloads: []string{"cpu"}, TaskSizes: map[string]string{"cpu": "1k"},
		Strategies: []string{"serial", "goroutines", "goroutines-1cpu"},
		Tasks:      3, Workers: 2, Repeat: 1, SampleInterval: harness.DefaultInterval,
		Executable: os.Args[0], Journal: j, Command: "claims",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	j.Release(run)
	j.Close()
	got, journal, err := readRunOrJournal(path)
	if err != nil || !journal {
		t.Fatalf("journal %v: %v", journal, err)
	}
	if got.Command != "claims" || got.Partial || len(got.Claims) == 0 {
		t.Errorf("rebuilt: command %q, partial %v, %d claims; want a finished claims run with claims", got.Command, got.Partial, len(got.Claims))
	}
	if !strings.Contains(strings.Join(got.Notes, "\n"), "without the pool's API checks") {
		t.Errorf("notes do not say the API checks are missing: %q", got.Notes)
	}
}
