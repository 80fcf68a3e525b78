package stampfile

import (
	"os"
	"testing"

	"github.com/poolbench/poolbench/internal/buildstamp"
)

func TestFromLdflags(t *testing.T) {
	for _, tc := range []struct{ flags, want string }{
		{"", ""},
		{"-s -w", ""},
		{"-X " + buildstamp.Symbol + "=123-abc", "123-abc"},
		{"-X=" + buildstamp.Symbol + "=123", "123"},
		{"--X " + buildstamp.Symbol + "=9", "9"},
		{"-s -X main.version=1 -X " + buildstamp.Symbol + "=42 -w", "42"},
		{"-X " + buildstamp.Symbol + "=1 -X " + buildstamp.Symbol + "=2", "2"}, // the linker keeps the last
		{"-X " + buildstamp.Symbol + "=", ""},
		{"-X " + buildstamp.Symbol + "x=1", ""}, // another variable
		{"-X", ""},
	} {
		if got := FromLdflags(tc.flags); got != tc.want {
			t.Errorf("FromLdflags(%q) = %q, want %q", tc.flags, got, tc.want)
		}
	}
}

// A test binary is built without the stamp: Of reads it as empty, and an
// unreadable file is an error rather than a stamp.
func TestOf(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Of(exe); err != nil || s != "" {
		t.Errorf("Of(test binary) = %q, %v; want no stamp", s, err)
	}
	if _, err := Of("/nonexistent/poolbench-worker"); err == nil {
		t.Error("Of(missing file): no error")
	}
	text := t.TempDir() + "/notes.txt"
	if err := os.WriteFile(text, []byte("not a program\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Of(text); err == nil {
		t.Error("Of(not a Go binary): no error")
	}
}
