package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
)

func TestLogBadInput(t *testing.T) {
	valid := "(valid: unlocked-whole, unlocked-split, unlocked-noappend, locked, py-unlocked, py-locked, mutex, channel, callback, all)"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"zero writers", []string{"--writers", "0"}, "--writers 0: want 1 to 1024"},
		{"negative writers", []string{"--writers", "-3"}, "--writers -3: want 1 to 1024"},
		{"too many writers", []string{"--writers", "5000"}, "--writers 5000: want 1 to 1024"},
		{"zero records", []string{"--records", "0"}, "--records 0: want at least 1"},
		{"negative records", []string{"--records", "-1"}, "--records -1: want at least 1"},
		{"too many records", []string{"--writers", "1000", "--records", "100000"}, "at most 16777216 records in all"},
		{"zero size", []string{"--record-size", "0"}, `--record-size "0": sizes must be at least 1 byte`},
		{"zero min", []string{"--record-size", "0-100"}, "at least 1 byte"},
		{"negative size", []string{"--record-size=-5"}, `--record-size "-5": want a size or a range`},
		{"min over max", []string{"--record-size", "4KiB-100"}, "the minimum, 4096 B, is above the maximum, 100 B"},
		{"malformed size", []string{"--record-size", "big"}, `--record-size "big": want a size or a range`},
		{"fractional size", []string{"--record-size", "1.5KiB"}, "want a size or a range"},
		{"half a range", []string{"--record-size", "100-"}, "want a size or a range"},
		{"unknown unit", []string{"--record-size", "4KB"}, "want a size or a range"},
		{"too large", []string{"--record-size", "100-2MiB"}, "at most 1 MiB"},
		{"unknown mode", []string{"--modes", "locked,shouting"}, `unknown mode "shouting" ` + valid},
		{"empty mode", []string{"--modes", ""}, `unknown mode "" ` + valid},
		{"mode twice", []string{"--modes", "locked,callback,locked"}, "--modes lists locked twice"},
		{"bad format", []string{"--format", "benchstat"}, "want table, json, csv or markdown"},
		{"unwritable out", []string{"--out", "/proc/poolbench"}, "--out /proc/poolbench"},
		{"not a number", []string{"--writers", "ten"}, `invalid argument "ten" for "--writers"`},
		{"stray argument", []string{"extra"}, `unknown command "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectUsage(t, tt.want, append([]string{"log"}, tt.args...)...)
		})
	}
}

// A small run of every mode: the modes that serialise their writers, and
// whole records appended with O_APPEND, keep every record; each mode says
// what it is in its fields; and the log files are gone once checked.
func TestLogWritesResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, stderr := runCLI(t, "log", "--writers", "4", "--records", "200", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := []string{"unlocked-whole", "unlocked-split", "unlocked-noappend", "locked", "py-unlocked", "py-locked", "mutex", "channel", "callback"}
	if _, err := exec.LookPath("python3"); err != nil {
		want = slices.DeleteFunc(want, func(m string) bool { return strings.HasPrefix(m, "py-") })
	}
	if !strings.Contains(out, fmt.Sprintf("shared log file: %d modes", len(want))) {
		t.Errorf("no logging table on stdout:\n%s", out)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if run.Command != "log" || run.Partial || run.Config.LogWriters != 4 || run.Config.LogRecords != 200 || run.Host.CPUs == 0 {
		t.Errorf("run header: command %q, partial %v, config %+v, host %+v", run.Command, run.Partial, run.Config, run.Host)
	}
	if len(run.Logging) != len(want) {
		t.Fatalf("%d logging entries, want %d: %+v", len(run.Logging), len(want), run.Logging)
	}
	const expected = 4 * 200
	for i, m := range run.Logging {
		if m.Mode != want[i] || m.Writers != 4 || m.RecordsExpected != expected {
			t.Errorf("entry %d: %+v", i, m)
		}
		if m.RecordsIntact+m.RecordsLost != expected {
			t.Errorf("%s: counts do not add up: %+v", m.Mode, m)
		}
		if m.WritersKind == "" || m.WriteUnit == "" || m.Note == "" {
			t.Errorf("%s does not say what it is: %+v", m.Mode, m)
		}
		switch m.Mode {
		case "locked", "callback", "mutex", "channel", "py-locked", "unlocked-whole":
			if m.RecordsLost != 0 || m.RecordsTorn != 0 || m.RecordsIntact != expected || m.RecordsDuplicated != 0 {
				t.Errorf("%s damaged the log: %+v", m.Mode, m)
			}
		case "unlocked-noappend":
			// Every writer starts at offset 0: the file cannot hold them all.
			if m.RecordsLost == 0 {
				t.Errorf("%s lost nothing: %+v", m.Mode, m)
			}
		}
	}
	for _, name := range []string{"report.html", "logging.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
}

// --format csv prints one row per mode; --keep-logs keeps the checked files.
func TestLogCSVKeepLogs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, stderr := runCLI(t, "log", "--modes", "callback,unlocked-split", "--writers", "2", "--records", "30",
		"--record-size", "4KiB", "--format", "csv", "--keep-logs", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "mode,writers,records_expected,records_intact,records_torn,records_lost,") ||
		!strings.HasPrefix(lines[1], "callback,2,60,60,0,0,0,") || !strings.HasPrefix(lines[2], "unlocked-split,2,60,") {
		t.Errorf("csv:\n%s", out)
	}
	// The saved run re-renders to the same rows, and has nothing for
	// benchstat.
	if code, again, stderr := runCLI(t, "report", filepath.Join(dir, "results.json"), "--format", "csv"); code != 0 || again != out {
		t.Errorf("report --format csv: exit %d, %q\nwant the log's own:\n%s\nstderr: %s", code, again, out, stderr)
	}
	elsewhere := filepath.Join(t.TempDir(), "elsewhere")
	expectUsage(t, "a log run has no benchmark results", "report", filepath.Join(dir, "results.json"), "--format", "benchstat", "--out", elsewhere)
	if _, err := os.Stat(elsewhere); !os.IsNotExist(err) {
		t.Errorf("refused, report still wrote into --out: %v", err)
	}
	for _, name := range []string{"callback.log", "unlocked-split.log"} {
		data, err := os.ReadFile(filepath.Join(dir, "logs", name))
		if err != nil {
			t.Error(err)
			continue
		}
		// 60 records of a 4096-byte payload and a header of 20 to 22 bytes.
		if n := bytes.Count(data, []byte("\n")); len(data) < 60*4100 || n < 60 {
			t.Errorf("%s: %d bytes, %d lines", name, len(data), n)
		}
	}
}

// SIGINT in the middle of a mode stops it, leaves no writer process behind,
// and saves the modes already measured, marked partial, with exit status 130.
func TestLogInterrupted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	// channel finishes in a moment; locked, one lock hold per record, runs
	// far longer than the test waits.
	cmd := poolbench("log", "--modes", "channel,locked", "--writers", "2", "--records", "100000", "--record-size", "20",
		"--out", dir, "--format", "json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	var writers []int
	for deadline := time.Now().Add(20 * time.Second); len(writers) < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			t.Fatalf("no writer processes seen; stderr: %s", stderr.String())
		}
		select {
		case <-done:
			t.Fatalf("finished before it could be interrupted: %v; stderr: %s", waitErr, stderr.String())
		default:
		}
		writers = writerChildren(cmd.Process.Pid)
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	// A liveness bound only: stopping saves the partial run and draws its
	// charts, which a loaded machine slows many times over.
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("still running 60s after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit status %d, want 130; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted by SIGINT") {
		t.Errorf("stderr: %s", stderr.String())
	}
	for _, pid := range writers {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			t.Errorf("writer %d outlived the run", pid)
		}
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !run.Partial || len(run.Logging) != 1 || run.Logging[0].Mode != "channel" || run.Logging[0].RecordsIntact != 200000 {
		t.Errorf("partial %v, logging %+v", run.Partial, run.Logging)
	}
	// The summary says a partial run's notes say why: they do.
	if !slices.Contains(run.Notes, "partial run: interrupted by SIGINT") {
		t.Errorf("notes %q do not say the run was interrupted", run.Notes)
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
}

// writerChildren lists the children of pid that are shared-log writers.
func writerChildren(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, p := range stats {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces, so split after ')'.
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue
		}
		dir := filepath.Dir(p)
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !bytes.Contains(env, []byte(procpool.EnvRole+"=log-writer:")) {
			continue
		}
		if k, err := strconv.Atoi(filepath.Base(dir)); err == nil {
			kids = append(kids, k)
		}
	}
	return kids
}

// leftovers lists log files and temporary folders left in a run's folder.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var left []string
	for _, pattern := range []string{".logs-*", ".write-test-*", "*.log", "*.lock", "logs"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, m...)
	}
	return left
}

// Without python3 the py- modes are skipped with one note; the others run.
func TestLogWithoutPython(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, "log", "--modes", "py-unlocked,mutex,py-locked", "--writers", "2", "--records", "20", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Logging) != 1 || run.Logging[0].Mode != "mutex" {
		t.Errorf("logging %+v, want mutex only", run.Logging)
	}
	var skips []string
	for _, n := range run.Notes {
		if strings.Contains(n, "skipped") {
			skips = append(skips, n)
		}
	}
	if len(skips) != 1 || skips[0] != "skipped py-unlocked, py-locked: no python3 on the PATH" {
		t.Errorf("notes %q, want one skip note", run.Notes)
	}
}
