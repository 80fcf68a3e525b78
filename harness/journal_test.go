package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// journaledRun runs a small plan with a journal and returns the run and
// the journal's bytes.
func journaledRun(t *testing.T) (*results.Run, []byte) {
	t.Helper()
	run, j, path := startJournaledRun(t, nil)
	return run, closeJournal(t, j, path)
}

// startJournaledRun runs a small plan, changed by edit if not nil, with a
// journal that it returns open, with its path.
func startJournaledRun(t *testing.T, edit func(*Config)) (*results.Run, *Journal, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), JournalName)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := small("cpu")
	cfg.TaskSizes = map[string]string{"cpu": "10k"}
	cfg.Strategies = []string{"serial", "goroutines", "pool-apply"}
	cfg.Journal = NewJournal(f)
	if edit != nil {
		edit(&cfg)
	}
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return run, cfg.Journal, path
}

// closeJournal closes j and returns what it wrote to path.
func closeJournal(t *testing.T, j *Journal, path string) []byte {
	t.Helper()
	if err := j.Err(); err != nil {
		t.Fatal(err)
	}
	j.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestHeldJournalEndsWithItsHolder: claims' journal goes on past its
// trials (log modes, API checks). Until the holder releases it, a journal
// rebuilds as the partial run of the holder's command, with what it has;
// released, as the finished run.
func TestHeldJournalEndsWithItsHolder(t *testing.T) {
	run, j, path := startJournaledRun(t, func(c *Config) {
		c.Command = "claims"
		c.Journal.Hold()
	})
	if run.Command != "claims" {
		t.Errorf("run's command %q, want claims", run.Command)
	}
	j.LogMode(results.LogMode{Mode: "locked"})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	died, err := Rebuild(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !died.Partial || died.Command != "claims" || len(died.Logging) != 1 {
		t.Errorf("held journal rebuilt as partial=%v command=%q with %d log modes, want a partial claims run with 1",
			died.Partial, died.Command, len(died.Logging))
	}
	run.Logging = []results.LogMode{{Mode: "locked"}}
	j.Release(run)
	done, err := Rebuild(bytes.NewReader(closeJournal(t, j, path)))
	if err != nil {
		t.Fatal(err)
	}
	if done.Partial {
		t.Error("released journal rebuilt as a partial run")
	}
	if a, b := encoded(t, run), encoded(t, done); a != b {
		t.Errorf("rebuilt run differs from the run:\n--- run\n%s\n--- rebuilt\n%s", a, b)
	}
}

func encoded(t *testing.T, run *results.Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := results.Encode(&b, run); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestJournalRebuildsTheRun: a finished run's journal makes the very
// results.json the run itself would save, byte for byte, also when it is
// rebuilt where GOMAXPROCS differs (another machine): the ideal times and
// efficiencies follow the run's CPUs, recorded in the journal.
func TestJournalRebuildsTheRun(t *testing.T) {
	run, data := journaledRun(t)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if want := 1 + 3*2 + 1; len(lines) != want {
		t.Fatalf("journal has %d lines, want %d (header, 6 trials, end)", len(lines), want)
	}
	got, err := Rebuild(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := encoded(t, run), encoded(t, got); a != b {
		t.Errorf("rebuilt run differs from the run:\n--- run\n%s\n--- rebuilt\n%s", a, b)
	}
	prev := runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 5) // as on a larger machine
	defer runtime.GOMAXPROCS(prev)
	elsewhere, err := Rebuild(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := encoded(t, run), encoded(t, elsewhere); a != b {
		t.Errorf("rebuilt with GOMAXPROCS %d, the run differs:\n--- run\n%s\n--- rebuilt\n%s", runtime.GOMAXPROCS(0), a, b)
	}
}

// TestJournalOfDeadRun: a journal cut off by a crash, its last line torn
// mid-write, still gives every trial that was written whole, marked partial.
func TestJournalOfDeadRun(t *testing.T) {
	_, data := journaledRun(t)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	// Header and four whole trials, then half of the fifth.
	cut := strings.Join(lines[:5], "\n") + "\n" + lines[5][:len(lines[5])/2]
	got, err := Rebuild(strings.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Partial {
		t.Error("a journal without its end is not marked partial")
	}
	trials := 0
	for _, r := range got.Results {
		trials += len(r.Trials)
	}
	if trials != 4 || len(got.Results) != 3 {
		t.Errorf("%d results holding %d trials, want 3 holding 4", len(got.Results), trials)
	}
	if _, err := results.Unmarshal([]byte(encoded(t, got))); err != nil {
		t.Errorf("rebuilt run does not decode: %v", err)
	}
}

func TestJournalRejects(t *testing.T) {
	_, data := journaledRun(t)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, tt := range []struct {
		name, in string
	}{
		{"empty", ""},
		{"no header", strings.Join(lines[1:], "\n")},
		{"torn in the middle", lines[0] + "\n{\"trial\":\n" + lines[1]},
		{"two headers", lines[0] + "\n" + lines[0]},
		{"not json", "hello\nworld"},
		{"a trial twice", lines[0] + "\n" + lines[1] + "\n" + lines[1]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Rebuild(strings.NewReader(tt.in))
			if !errors.Is(err, ErrNotJournal) {
				t.Errorf("err %v, want ErrNotJournal", err)
			}
		})
	}
	var head journalLine
	if err := json.Unmarshal([]byte(lines[0]), &head); err != nil || head.Header == nil {
		t.Fatalf("first line is not a header: %v", err)
	}
}
