package pyref

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fake writes an executable shell script standing in for an interpreter.
func fake(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFindRefuses(t *testing.T) {
	tests := []struct {
		name string
		path func(t *testing.T) string
		want error
		says string
	}{
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "python3") }, ErrNotFound, "python3"},
		{"not on PATH", func(t *testing.T) string { t.Setenv("PATH", t.TempDir()); return "" }, ErrNotFound, "python3"},
		// Python 3.6 runs the probe and says how old it is.
		{"too old, answers the probe", func(t *testing.T) string {
			return fake(t, `printf '/usr/bin/python3.6\n3.6.15\nfork\nfork,spawn,forkserver\n'`)
		}, ErrTooOld, "3.6.15, need 3.8 or newer"},
		// Python 2 knows no -I and prints its version on stderr.
		{"too old, refuses -I", func(t *testing.T) string {
			return fake(t, `if [ "$1" = --version ]; then echo "Python 2.7.18" >&2; exit 0; fi
echo "Unknown option: -I" >&2; exit 2`)
		}, ErrTooOld, "2.7.18"},
		{"not python", func(t *testing.T) string {
			return fake(t, `echo "Traceback..." >&2; echo "boom: no such thing" >&2; exit 1`)
		}, ErrNotPython, "boom: no such thing"},
		{"garbage answer", func(t *testing.T) string { return fake(t, `printf 'x\nnot-a-version\nfork\nfork\n'`) }, ErrNotPython, "answered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Find(context.Background(), tt.path(t))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Find: %v; want %v saying %q on one line", err, tt.want, tt.says)
			}
		})
	}
}

func TestFindRealPython(t *testing.T) {
	in := needPython(t)
	if !filepath.IsAbs(in.Path) || !recent(in.Version) || in.DefaultStartMethod == "" {
		t.Fatalf("Find: %+v", in)
	}
	if m, err := in.CheckStartMethod(""); err != nil || m != in.DefaultStartMethod {
		t.Errorf("default start method: %q, %v", m, err)
	}
	if _, err := in.CheckStartMethod("teleport"); !errors.Is(err, ErrStartMethod) {
		t.Errorf("unknown start method: %v", err)
	}
	// The probe's answer is the interpreter's own.
	out, err := exec.Command(in.Path, "-I", "-c", "import platform; print(platform.python_version())").Output()
	if err != nil || strings.TrimSpace(string(out)) != in.Version {
		t.Errorf("version %q, interpreter says %q (%v)", in.Version, out, err)
	}
}

// TestScriptCompiles: the embedded script is valid Python for the
// interpreter at hand.
func TestScriptCompiles(t *testing.T) {
	in := needPython(t)
	path := filepath.Join(t.TempDir(), "pyref.py")
	if err := os.WriteFile(path, Script, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(in.Path, "-I", "-m", "py_compile", path).CombinedOutput(); err != nil {
		t.Fatalf("py_compile: %v\n%s", err, out)
	}
}

// TestScriptIsPython38: the embedded script uses no syntax newer than
// MinVersion, as the interpreter at hand's parser judges it (ast's
// feature_version, which knows the grammar of every version since 3.4):
// no match statement, no parenthesised context managers, no except*. The
// standard library calls it makes are checked by reading, and by the tests
// run under a 3.8 when one is on the PATH.
func TestScriptIsPython38(t *testing.T) {
	in := needPython(t)
	check := `import ast, sys
ast.parse(sys.stdin.read(), "pyref.py", feature_version=(int(sys.argv[1]), int(sys.argv[2])))`
	cmd := exec.Command(in.Path, "-I", "-c", check, strconv.Itoa(MinVersion[0]), strconv.Itoa(MinVersion[1]))
	cmd.Stdin = bytes.NewReader(Script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("not Python %d.%d: %v\n%s", MinVersion[0], MinVersion[1], err, out)
	}
}
