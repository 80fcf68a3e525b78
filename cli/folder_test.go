package cli

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/results"
)

var tinyRun = []string{"run", "--workload", "noop", "--tasks", "3", "--repeat", "1", "--warmup", "0", "--strategies", "serial,goroutines"}

func tinyRunIn(dir string, more ...string) []string {
	return append(append(append([]string(nil), tinyRun...), "--out", dir), more...)
}

// waitForFile waits until path exists with some content, the event a test
// waits for instead of sleeping.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSecondRunOnSameFolder: while a run holds its folder, a second run on
// it exits 2 at once naming the first one's pid, and leaves the first's
// results whole.
func TestSecondRunOnSameFolder(t *testing.T) {
	first, dir, stderr, _ := startBusyRun(t)
	held := strings.TrimSpace(waitForFile(t, filepath.Join(dir, lockName)))
	if held != strconv.Itoa(first.Process.Pid) {
		t.Errorf("lock file names pid %q, want %d", held, first.Process.Pid)
	}
	for _, cmd := range []string{"run", "sweep"} {
		args := []string{cmd, "--workload", "noop", "--tasks", "3", "--repeat", "1", "--warmup", "0", "--out", dir, "--force"}
		if cmd == "sweep" {
			args = append(args, "--workers", "1,2")
		}
		expectUsage(t, "in use by another poolbench (pid "+held+")", args...)
	}
	first.Process.Signal(syscall.SIGINT)
	first.Wait()
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatalf("first run's results: %v; stderr: %s", err, stderr)
	}
	for _, r := range run.Results {
		if r.Strategy == "serial" || r.Workload == "noop" {
			t.Errorf("the second run's result %s/%s is in the first's results", r.Strategy, r.Workload)
		}
	}
	if exists(filepath.Join(dir, lockName)) {
		t.Error("the lock file outlived its run")
	}
}

// TestEarlierRunNeedsForce: an --out holding a run is refused; --force
// clears that run's files (its charts too), and the folder's debris of dead
// runs is removed on the next use.
func TestEarlierRunNeedsForce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCLI(t, tinyRunIn(dir)...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	expectUsage(t, "holds an earlier run (results.json, report.html); choose another folder, or --force", tinyRunIn(dir)...)
	stale := []string{filepath.Join(dir, ".logs-123"), filepath.Join(dir, ".results.json.tmp99")}
	os.MkdirAll(stale[0], 0o755)
	os.WriteFile(filepath.Join(stale[0], "big.log"), []byte("x"), 0o644)
	os.WriteFile(stale[1], []byte("half"), 0o644)
	old := filepath.Join(dir, "sweep-speedup.png") // a chart the new run will not draw
	os.WriteFile(old, []byte("png"), 0o644)

	code, _, stderr := runCLI(t, "run", "--workload", "noop", "--tasks", "3", "--repeat", "1", "--warmup", "0",
		"--strategies", "serial", "--out", dir, "--force")
	if code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil || len(run.Results) != 1 {
		t.Fatalf("results after --force: %v, %+v", err, run)
	}
	for _, p := range append(stale, old, filepath.Join(dir, harness.JournalName), filepath.Join(dir, lockName)) {
		if exists(p) {
			t.Errorf("%s left in the folder", filepath.Base(p))
		}
	}
}

// TestEmptyJournalIsDebris: a journal a run left empty (it died, or the
// disk was full, before its header) holds nothing to rebuild: the folder is
// not refused for it, as it was with advice `report` then refused.
func TestEmptyJournalIsDebris(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, harness.JournalName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, tinyRunIn(dir)...); code != 0 {
		t.Fatalf("a folder with an empty journal: exit %d: %s", code, stderr)
	}
	if _, err := results.ReadFile(filepath.Join(dir, "results.json")); err != nil {
		t.Fatal(err)
	}
}

// TestCrashedRunRebuilds: a run killed outright (SIGKILL runs none of its
// code) leaves its journal; the folder is then refused as an unfinished
// run, and `poolbench report` on the journal makes its results.json.
func TestCrashedRunRebuilds(t *testing.T) {
	cmd, dir, _, _ := startBusyRun(t)
	journal := filepath.Join(dir, harness.JournalName)
	// Wait for the header and at least one trial.
	deadline := time.Now().Add(60 * time.Second)
	for strings.Count(waitForFile(t, journal), "\n") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no trial was journaled")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	expectUsage(t, "holds an unfinished earlier run (journal.jsonl; `poolbench report "+journal+"` rebuilds its results)", tinyRunIn(dir)...)

	code, out, stderr := runCLI(t, "report", journal)
	if code != 0 {
		t.Fatalf("report of the journal: exit %d: %s", code, stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !run.Partial || len(run.Results) == 0 || len(run.Results[0].Trials) == 0 {
		t.Errorf("rebuilt run: partial %v, %d results", run.Partial, len(run.Results))
	}
	if !strings.Contains(out, "rebuilt from its journal") {
		t.Errorf("the table does not say the run was rebuilt:\n%s", out)
	}
	if exists(journal) {
		t.Error("the journal is left beside the results.json made of it")
	}
	// The folder now holds a finished run: no longer an unfinished one.
	expectUsage(t, "holds an earlier run (results.json, report.html)", tinyRunIn(dir)...)
}

// A second signal's last words say where the run's measurements are: in
// the journal until the results are saved, then in results.json; nothing
// when there is neither.
func TestStopNoteSaysWhereTheRunIs(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	if out, err := poolbench(tinyRunIn(src)...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	run, err := results.ReadFile(filepath.Join(src, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	// stopNote keeps its folder from saving for good: one folder a case.
	claim := func(journal bool) *runFolder {
		f, err := claimFolder(filepath.Join(t.TempDir(), "out"), "run", false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(f.release)
		if journal {
			if _, err := f.startJournal(); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	if note := claim(false).stopNote(); note != "" {
		t.Errorf("nothing measured: %q", note)
	}
	f := claim(true)
	if note, want := f.stopNote(), "the trials measured so far are in "+filepath.Join(f.dir, harness.JournalName); !strings.Contains(note, want) {
		t.Errorf("while journaling: %q, want %q", note, want)
	}
	f = claim(true)
	if err := f.save(io.Discard, io.Discard, run, nil, func(io.Writer, *results.Run) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if note, want := f.stopNote(), "the results are saved in "+f.resultsPath(); !strings.Contains(note, want) {
		t.Errorf("once saved: %q, want %q", note, want)
	}
}

// A folder that cannot be made part-way down (a name too long) leaves none
// of the folders made on the way, and --out naming a file is refused.
func TestMakeFolderLeavesNothingWhenItFails(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "new1", strings.Repeat("n", 300), "run")
	if _, _, err := makeFolder(out, "run"); err == nil {
		t.Fatal("a folder with a 300-byte name was made")
	}
	if exists(filepath.Join(tmp, "new1")) {
		t.Error("new1, made on the way, was left behind")
	}
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	if _, _, err := makeFolder(file, "run"); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("--out naming a file: %v", err)
	}
	if !exists(file) {
		t.Error("the file --out named was removed")
	}
}

// --out through a link and ".." is made where the kernel resolves it, as
// os.MkdirAll makes it: beside the link's target, not beside the link.
func TestMakeFolderThroughALink(t *testing.T) {
	tmp := t.TempDir()
	os.MkdirAll(filepath.Join(tmp, "x", "sub"), 0o755)
	if err := os.Symlink(filepath.Join(tmp, "x", "sub"), filepath.Join(tmp, "link")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "link") + "/../new"
	dir, made, err := makeFolder(out, "run")
	if err != nil {
		t.Fatal(err)
	}
	if !exists(filepath.Join(tmp, "x", "new")) || exists(filepath.Join(tmp, "new")) {
		t.Errorf("made %q (%v): want x/new, beside the link's target", dir, made)
	}
	removeMade(made)
	if exists(filepath.Join(tmp, "x", "new")) || !exists(filepath.Join(tmp, "x", "sub")) {
		t.Error("removeMade took away other than the folder it made")
	}
}
