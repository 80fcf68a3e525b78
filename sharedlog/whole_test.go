package sharedlog

import (
	"context"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// The finding the tutorial's claim runs into on Linux: unlocked writers that
// append each record in one write(2) with O_APPEND leave every record whole,
// because the kernel appends each write to a regular file at the end as one
// piece. A file system that broke that (some network ones) fails here.
func TestUnlockedWholeKeepsRecords(t *testing.T) {
	cfg := small(t)
	cfg.Writers, cfg.Records = 6, 150
	lm, err := RunProcesses(context.Background(), UnlockedWhole, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := cfg.Writers * cfg.Records
	if lm.RecordsIntact != want || lm.RecordsTorn != 0 || lm.RecordsLost != 0 || lm.RecordsDuplicated != 0 {
		t.Errorf("whole O_APPEND writes damaged the log: %+v", lm)
	}
	if b := sum(streamBytes(cfg)); lm.FileBytes != b {
		t.Errorf("file %d bytes, want %d", lm.FileBytes, b)
	}
}

// Every mode describes itself in the result's fields, so that readers need
// not parse its name.
func TestDescribe(t *testing.T) {
	type desc struct {
		kind                       string
		cross, single, app, locked bool
		unit                       string
	}
	want := map[Mode]desc{
		UnlockedWhole:    {results.WritersProcesses, true, false, true, false, results.WriteUnitRecord},
		UnlockedSplit:    {results.WritersProcesses, true, false, true, false, results.WriteUnitBufferedSplit},
		UnlockedNoAppend: {results.WritersProcesses, true, false, false, false, results.WriteUnitRecord},
		Locked:           {results.WritersProcesses, true, false, true, true, results.WriteUnitRecord},
		PyUnlocked:       {results.WritersPython, true, false, true, false, results.WriteUnitBufferedWhole},
		PyLocked:         {results.WritersPython, true, false, true, true, results.WriteUnitRecord},
		Mutex:            {results.WritersGoroutines, false, false, true, true, results.WriteUnitRecord},
		Channel:          {results.WritersGoroutines, false, true, true, false, results.WriteUnitBufferedSplit},
		Callback:         {results.WritersPool, false, true, true, false, results.WriteUnitBufferedSplit},
	}
	if len(want) != len(Modes()) {
		t.Fatalf("%d modes described here, %d exist", len(want), len(Modes()))
	}
	for _, m := range Modes() {
		lm := m.Describe(3, 4096)
		got := desc{lm.WritersKind, lm.CrossProcess, lm.SingleWriter, lm.OAppend, lm.Locked, lm.WriteUnit}
		if got != want[m] || lm.Mode != string(m) || lm.Writers != 3 {
			t.Errorf("%s: %+v, want %+v", m, got, want[m])
		}
		if lm.Locked != (lm.Lock != "") {
			t.Errorf("%s: locked %v with lock %q", m, lm.Locked, lm.Lock)
		}
		if m.Note(false) == "" || m.Note(true) == "" || m.Note(false) == m.Note(true) {
			t.Errorf("%s: notes %q / %q", m, m.Note(false), m.Note(true))
		}
	}
}
