package sharedlog

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// The callback mode has one writer, the parent's callback: nothing is torn,
// lost or written twice, and the file holds exactly the records.
func TestCallback(t *testing.T) {
	cfg := small(t)
	lm, err := Run(context.Background(), Callback, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := cfg.Writers * cfg.Records
	if lm.Mode != string(Callback) || lm.Writers != cfg.Writers || lm.RecordsExpected != want {
		t.Errorf("result header %+v", lm)
	}
	if lm.RecordsIntact != want || lm.RecordsTorn != 0 || lm.RecordsLost != 0 || lm.RecordsDuplicated != 0 {
		t.Errorf("callback damaged the log: %+v", lm)
	}
	if b := sum(streamBytes(cfg)); lm.FileBytes != b {
		t.Errorf("file %d bytes, want %d", lm.FileBytes, b)
	}
	if lm.WallSeconds <= 0 || lm.RecordsPerSecond <= 0 || lm.Note == "" {
		t.Errorf("figures missing: %+v", lm)
	}
	logPath, _ := paths(cfg.Dir, Callback)
	if _, err := os.Stat(logPath); err != nil {
		t.Errorf("log file not kept: %v", err)
	}
	if kids := children(t); len(kids) > 0 {
		t.Errorf("workers left behind: %v", kids)
	}
}

// An interrupted callback run terminates the pool, returns promptly with the
// context's error and leaves no worker behind.
func TestCallbackCancelled(t *testing.T) {
	cfg := Config{Dir: t.TempDir(), Writers: 3, Records: 2_000_000, Sizes: Sizes{Min: 100, Max: 200}}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := RunCallback(ctx, cfg)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RunCallback = %v, want the deadline", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v to give up", took)
	}
	if kids := children(t); len(kids) > 0 {
		t.Errorf("workers left behind: %v", kids)
	}
}

// The workers' function makes the record its arguments name, and refuses
// arguments that do not decode or ask for too much.
func TestRecordTask(t *testing.T) {
	good := RecordArgs(3, 17, Sizes{Min: 10, Max: 500})
	for _, tc := range []struct {
		name string
		args []byte
		want []byte // nil: an error
	}{
		{"record", good, Record(3, 17, Sizes{Min: 10, Max: 500})},
		{"fixed size", RecordArgs(0, 0, Sizes{Min: 7, Max: 7}), Encode(0, 0, 7)},
		{"empty", nil, nil},
		{"truncated", good[:len(good)-1], nil},
		{"stray bytes", append(bytes.Clone(good), 1), nil},
		{"min over max", RecordArgs(0, 0, Sizes{Min: 9, Max: 8}), nil},
		{"too large", RecordArgs(0, 0, Sizes{Min: 1, Max: maxRecordSize + 1}), nil},
		{"huge varint", bytes.Repeat([]byte{0xff}, 12), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := recordTask(tc.args)
			switch {
			case tc.want == nil && err == nil:
				t.Errorf("recordTask(%x) = %q, want an error", tc.args, got)
			case tc.want != nil && err != nil:
				t.Errorf("recordTask: %v", err)
			case !bytes.Equal(got, tc.want):
				t.Errorf("recordTask = %q, want %q", got, tc.want)
			}
		})
	}
}
