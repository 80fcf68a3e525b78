package harness

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTrialRecordTooLong: a trial whose record is longer than the parent
// reads, and which then waits for its release as a trial does, ends with an
// error naming the records, not with each process waiting on the other.
func TestTrialRecordTooLong(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "trial.sh")
	// 17 MiB on one line to descriptor 3, then wait for descriptor 4's end.
	script := "#!/bin/sh\nhead -c 17825792 /dev/zero | tr '\\000' x >&3\necho >&3\ncat <&4 >/dev/null\n"
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// A bound only a hang reaches: the run itself takes well under a second.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := Run(ctx, Config{Workloads: []string{"noop"}, Strategies: []string{"serial"}, Tasks: 1, Workers: 1,
		Repeat: 1, SampleInterval: DefaultInterval, Executable: exe, TaskOutput: io.Discard}, nil)
	if err == nil || !strings.Contains(err.Error(), "read its records") {
		t.Fatalf("error %v, want one about reading the trial's records", err)
	}
}
