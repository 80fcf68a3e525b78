package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// TestDecodeProblemTruncated: a results file cut anywhere is said to end
// early, wherever the cut falls (inside a string, a number or a literal).
func TestDecodeProblemTruncated(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"cut between values", `{"schema_version": 2, `, "the JSON ends early"},
		{"cut after a decimal point", `{"wall": 1.`, "the JSON ends early"},
		{"cut in an exponent", `{"wall": 1e`, "the JSON ends early"},
		{"cut in a literal", `{"partial": tru`, "the JSON ends early"},
		{"cut in a string", `{"command": "ru`, "the JSON ends early"},
		{"not JSON", `{"wall": 1.x}`, "not JSON (invalid character 'x'"},
		{"empty", ``, "empty file"},
		{"an array", `[1]`, "a JSON array, not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := results.Unmarshal([]byte(tt.data))
			if err == nil {
				t.Fatal("decoded")
			}
			if got := decodeProblem([]byte(tt.data), err); !strings.Contains(got, tt.want) {
				t.Errorf("decodeProblem = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

// A path that is no results file is refused without reading it to its end:
// /dev/zero has none, and a long file of blanks after a '{' is cut off at
// maxInput.
func TestReadInputIsBounded(t *testing.T) {
	if _, err := readRun("/dev/zero"); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("readRun(/dev/zero): %v, want it refused as not JSON", err)
	}
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{")
	blanks := bytes.Repeat([]byte(" "), 1<<20)
	for range maxInput>>20 + 1 {
		if _, err := f.Write(blanks); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	if _, err := readRun(path); err == nil || !strings.Contains(err.Error(), "over 256 MiB") {
		t.Errorf("readRun of over %d bytes: %v, want it refused as too large", maxInput, err)
	}
}
