package results

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sampleRun() *Run {
	ok := true
	return &Run{
		SchemaVersion: SchemaVersion, PoolbenchVersion: "test", Command: "run",
		Host:   Host{CPUs: 2, OS: "linux", Arch: "amd64", GoVersion: "go1.26"},
		Config: Config{Workloads: []string{"cpu"}, Strategies: []string{"serial"}, Tasks: 10, Workers: 2, Repeat: 1},
		Results: []Result{{
			Strategy: "serial", Workload: "cpu", Tasks: 10, Concurrency: 1, Repeats: 1,
			WallSeconds: Summary{Median: 1, Mean: 1, Min: 1, Max: 1, N: 1}, ChecksumOK: &ok,
			Trials: []Trial{{Repeat: 1, WallSeconds: 1, Samples: []Sample{{Seconds: 0.01, RSSBytes: 1 << 20}}}},
		}},
	}
}

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sampleRun()); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Results[0].Trials[0].Samples[0].RSSBytes != 1<<20 || !*back.Results[0].ChecksumOK {
		t.Fatalf("round trip lost data: %+v", back.Results[0])
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty input"},
		{"blank", "  \n", "empty input"},
		{"garbage", "not json", "not a poolbench results file"},
		{"array", "[1,2]", "not a poolbench results file"},
		{"foreign", `{"a":1}`, "no schema_version"},
		{"newer", `{"schema_version": 99}`, "newer than this poolbench reads"},
		{"zero version", `{"schema_version": 0}`, "not a poolbench results file"},
		{"older", `{"schema_version": 1, "results": []}`, "re-run the measurement"},
		{"truncated", `{"schema_version": 2, "results": [`, "not a poolbench results file"},
		{"trailing", `{"schema_version": 2} {}`, "not a poolbench results file"},
		{"wrong type", `{"schema_version": 2, "results": 5}`, "decode"},
		{"unknown field", `{"schema_version": 2, "results": [{"strategy": "serial", "workers": 4}]}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	if err := WriteFile(path, sampleRun()); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left %d files, want only results.json", len(entries))
	}
	// Readable by all, as a file written without a temporary one is,
	// whatever the umask (CreateTemp alone makes it 0600).
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Fatalf("results.json: mode %v, want -rw-r--r--", fi.Mode().Perm())
	}
	// A write that fails leaves the old file whole.
	if err := WriteFile(filepath.Join(dir, "missing", "results.json"), sampleRun()); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
	if _, err := ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(filepath.Join(dir, "nope.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

// FuzzUnmarshal: the results decoder takes files from anywhere; it must
// return a run or an error, never panic, and a run it accepts must encode.
func FuzzUnmarshal(f *testing.F) {
	var buf bytes.Buffer
	Encode(&buf, sampleRun())
	f.Add(buf.Bytes())
	f.Add([]byte(`{"schema_version": 1}`))
	f.Add([]byte(`{"schema_version": 2}`))
	f.Add([]byte(`{"schema_version": 1, "results": [{"trials": [{"samples": [{}]}]}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := Unmarshal(data)
		if err != nil {
			return
		}
		if run.SchemaVersion < 1 || run.SchemaVersion > SchemaVersion {
			t.Fatalf("accepted schema_version %d", run.SchemaVersion)
		}
		var buf bytes.Buffer
		if err := Encode(&buf, run); err != nil {
			t.Fatalf("accepted a run it cannot encode: %v", err)
		}
		if err := Validate(run); err != nil {
			t.Fatalf("accepted a run Validate rejects: %v", err)
		}
	})
}
