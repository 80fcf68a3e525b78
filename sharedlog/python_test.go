package sharedlog

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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
