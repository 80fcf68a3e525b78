package sharedlog

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poolbench/poolbench/results"
)

// pythonOrSkip skips a test when there is no python3 to run.
func pythonOrSkip(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 on the PATH")
	}
}

// The tutorial's own code shape, run by python3: with a lock and, on Linux,
// without one, every record arrives whole (CPython's file object flushes on
// record boundaries, and O_APPEND does the rest). The file holds every byte
// written, and python's wall time fits inside the time RunPython took.
func TestPythonModes(t *testing.T) {
	pythonOrSkip(t)
	for _, mode := range []Mode{PyUnlocked, PyLocked} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := small(t)
			start := time.Now()
			lm, err := RunPython(context.Background(), mode, cfg)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			want := cfg.Writers * cfg.Records
			if lm.RecordsIntact != want || lm.RecordsTorn != 0 || lm.RecordsLost != 0 || lm.RecordsDuplicated != 0 {
				t.Errorf("%s damaged the log: %+v", mode, lm)
			}
			if b := sum(streamBytes(cfg)); lm.FileBytes != b {
				t.Errorf("file %d bytes, want %d", lm.FileBytes, b)
			}
			if lm.Python == "" || lm.WritersKind != results.WritersPython || !lm.CrossProcess {
				t.Errorf("description: %+v", lm)
			}
			if lm.WallSeconds <= 0 || lm.WallSeconds > took.Seconds() {
				t.Errorf("python wall %.3fs, outside RunPython's %.3fs", lm.WallSeconds, took.Seconds())
			}
		})
	}
}

// An interrupted python run returns the context's error and leaves no
// python process behind: not python, not its writers (python's children,
// which a kill of python alone would orphan).
func TestRunPythonCancelled(t *testing.T) {
	pythonOrSkip(t)
	cfg := Config{Dir: t.TempDir(), Writers: 2, Records: 30000, Sizes: Sizes{Min: 100, Max: 200}}
	logPath, _ := paths(cfg.Dir, PyLocked)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once the writers have started writing: the event itself, not
	// a guess at how long starting takes.
	go func() {
		for ctx.Err() == nil {
			if fi, err := os.Stat(logPath); err == nil && fi.Size() > 0 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	_, err := RunPython(ctx, PyLocked, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("RunPython = %v, want context.Canceled", err)
	}
	if left := processesMentioning(t, cfg.Dir); len(left) > 0 {
		t.Errorf("python processes left behind: %v", left)
	}
	if kids := children(t); len(kids) > 0 {
		t.Errorf("processes left behind: %v", kids)
	}
	if work, _ := filepath.Glob(filepath.Join(cfg.Dir, ".python-*")); len(work) > 0 {
		t.Errorf("python's inputs left behind: %v", work)
	}
}

// processesMentioning lists the processes whose command line holds s.
// Processes killed a moment ago may still be exiting, so it looks again
// until they are gone or 5 s have passed.
func processesMentioning(t *testing.T, s string) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var found []string
		cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range cmdlines {
			data, err := os.ReadFile(p)
			if err == nil && strings.Contains(string(data), s) {
				found = append(found, p+": "+strings.ReplaceAll(string(data), "\x00", " "))
			}
		}
		if len(found) == 0 || time.Now().After(deadline) {
			return found
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Without python3 on the PATH a python mode says so with ErrNoPython, for
// the caller to skip it.
func TestRunPythonMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Run(context.Background(), PyUnlocked, Config{Dir: t.TempDir(), Writers: 1, Records: 1})
	if !errors.Is(err, ErrNoPython) {
		t.Fatalf("Run without python3 = %v, want ErrNoPython", err)
	}
}

// What py-unlocked's fields say of CPython, seen by strace: each writer's
// write(2) calls to the log end on its record boundaries (buffered-whole),
// and there are fewer calls than records. Skipped without strace.
func TestPythonWritesEndOnRecords(t *testing.T) {
	pythonOrSkip(t)
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("no strace on the PATH")
	}
	python, _ := exec.LookPath("python3")
	cfg, err := Config{Dir: t.TempDir(), Writers: 3, Records: 300}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	logPath, _ := paths(cfg.Dir, PyUnlocked)
	if err := truncate(logPath); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := writeSources(work, cfg); err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(work, "trace")
	out, err := exec.Command(strace, "-f", "-qq", "-y", "-s", "0", "-e", "trace=write", "-o", trace,
		python, "-I", filepath.Join(work, "writers.py"), logPath, work, "3", "unlocked").CombinedOutput()
	if err != nil {
		t.Skipf("strace cannot trace here: %v: %s", err, out)
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	// Each writer's record boundaries: the offsets in its stream where a
	// record ends.
	ends := make([]map[int]bool, cfg.Writers)
	total := make([]int, cfg.Writers)
	for w := range cfg.Writers {
		ends[w] = map[int]bool{}
		for seq := range cfg.Records {
			total[w] += len(Record(w, seq, cfg.Sizes))
			ends[w][total[w]] = true
		}
	}
	// pid  write(8</path/py-unlocked.log>, ""..., 4104) = 4104, or the
	// same cut by "<unfinished ...>": the size asked is what counts.
	re := regexp.MustCompile(`^(\d+)\s+write\(\d+<` + regexp.QuoteMeta(logPath) + `>, ""\.\.\., (\d+)`)
	sums := map[string][]int{}
	for _, line := range strings.Split(string(data), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			s := sums[m[1]]
			last := 0
			if len(s) > 0 {
				last = s[len(s)-1]
			}
			sums[m[1]] = append(s, last+n)
		}
	}
	if len(sums) != cfg.Writers {
		t.Fatalf("%d processes wrote to the log, want %d", len(sums), cfg.Writers)
	}
	calls := 0
	for pid, s := range sums {
		calls += len(s)
		w := slices.IndexFunc(total, func(n int) bool { return n == s[len(s)-1] })
		if w < 0 {
			t.Errorf("pid %s wrote %d bytes, no writer's total", pid, s[len(s)-1])
			continue
		}
		for _, off := range s {
			if !ends[w][off] {
				t.Errorf("pid %s (writer %d): a write(2) ends at %d, inside a record", pid, w, off)
			}
		}
	}
	if records := cfg.Writers * cfg.Records; calls >= records {
		t.Errorf("%d write(2) calls for %d records: not buffered", calls, records)
	}
	t.Logf("%d write(2) calls for %d records, every one ending on a record boundary", calls, cfg.Writers*cfg.Records)
}
