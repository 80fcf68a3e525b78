package workloads

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/procpool"
)

// A program's own functions, registered with procpool directly: one typed,
// one raw.
var userDouble = procpool.Func("test.user.double", func(ctx context.Context, n int) (int, error) {
	if n < 0 {
		return 0, errors.New("negative")
	}
	return 2 * n, nil
})

func init() {
	procpool.MustRegister("test.user.len", func(args []byte) ([]byte, error) {
		return binary.LittleEndian.AppendUint64(nil, uint64(len(args))), nil
	})
	if err := AddUserFuncs(); err != nil {
		panic(err)
	}
}

func writeArgs(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "args.jsonl")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAddUserFuncsMakesWorkloads(t *testing.T) {
	for _, name := range []string{userDouble.Name(), "test.user.len"} {
		w, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if !w.FromArgsFile || !w.OptIn || w.Python || w.Strategies != nil {
			t.Errorf("%s: %+v: want a workload from --args-file, opt-in, for every Go strategy", name, w)
		}
		if !strings.Contains(w.Doc, "func(") {
			t.Errorf("%s: doc %q lacks its signature", name, w.Doc)
		}
		if _, err := LookupFunc(FaultyName(name)); err != nil {
			t.Errorf("%s has no faulty twin: %v", name, err)
		}
		if slices.Contains(Standard(), name) {
			t.Errorf("--workload all runs %s", name)
		}
	}
	// poolbench's own functions are not taken for a program's.
	if w, _ := Lookup(CPUName); w.FromArgsFile {
		t.Error("cpu became a user function")
	}
	if _, err := Lookup(FaultyName(CPUName)); err == nil {
		t.Error("a faulty twin became a workload")
	}
	// Again: nothing new, no error.
	if err := AddUserFuncs(); err != nil {
		t.Fatal(err)
	}
}

func TestUserFuncTaskArgs(t *testing.T) {
	path := writeArgs(t, "1\n\n  2  \n3\n")
	if n, err := ArgsFileTasks(path); err != nil || n != 3 {
		t.Fatalf("ArgsFileTasks = %d, %v; want 3 (blank lines skipped)", n, err)
	}
	w, _ := Lookup(userDouble.Name())
	o := Options{ArgsFile: path}
	if err := w.CheckOptions(o); err != nil {
		t.Fatal(err)
	}
	// Task i takes line i modulo the number of lines, decoded into the
	// function's argument type.
	for i, want := range []int{2, 4, 6, 2, 4} {
		out, err := w.Run(w.ArgsFor(0, o, i))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := userDouble.Decode(out); err != nil || got != want {
			t.Errorf("task %d: %d, %v; want %d", i, got, err, want)
		}
	}
	// A raw function gets the line's JSON text.
	raw, _ := Lookup("test.user.len")
	out, err := raw.Run(raw.ArgsFor(0, o, 1))
	if err != nil || binary.LittleEndian.Uint64(out) != 1 {
		t.Errorf("raw function: %v, %v; want the 1-byte text of line 3", out, err)
	}
}

func TestUserFuncBadArgs(t *testing.T) {
	tests := []struct {
		name, content, want string
		noFile              bool
	}{
		{"no file given", "", "--workload test.user.double needs --args-file FILE", true},
		{"missing file", "", "no such file or directory", false},
		{"not JSON", "1\n{2\n", "line 2: not a JSON value", false},
		{"not the argument", "1\n\n\"two\"\n", "line 3: procpool: argument of test.user.double", false},
		{"no lines", "\n \n", "no tasks", false},
	}
	w, _ := Lookup(userDouble.Name())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Options
			switch {
			case tt.noFile:
			case tt.name == "missing file":
				o.ArgsFile = filepath.Join(t.TempDir(), "none.jsonl")
			default:
				o.ArgsFile = writeArgs(t, tt.content)
			}
			err := w.CheckOptions(o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckOptions: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := w.ParseSize("10"); err == nil {
		t.Error("a task size was accepted")
	}
}

func FuzzArgsLines(f *testing.F) {
	f.Add([]byte("1\n\n  {\"n\": 2}  \n[3]\n"))
	f.Add([]byte("{n: 1}\n"))
	f.Add([]byte("\"a\"\r\n\"b\"\r\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Every line kept is one JSON value, numbered after the line it was
		// on, in order; an error names no line beyond the file's.
		lines, err := parseArgsLines(data)
		total := bytes.Count(data, []byte("\n")) + 1
		if err != nil {
			if len(lines) != 0 {
				t.Fatalf("lines %v with error %v", lines, err)
			}
			var n int
			if _, scanErr := fmt.Sscanf(err.Error(), "line %d:", &n); scanErr == nil && (n < 1 || n > total) {
				t.Fatalf("error names line %d of %d: %v", n, total, err)
			}
			return
		}
		last := 0
		for _, l := range lines {
			if !json.Valid(l.js) || l.number <= last || l.number > total {
				t.Fatalf("line %d (after %d, of %d): %q", l.number, last, total, l.js)
			}
			last = l.number
		}
	})
}

// Only this package's own workloads are built in: poolbench-worker, which
// links no program's functions, has those and no other.
func TestBuiltIn(t *testing.T) {
	for _, name := range []string{CPUName, IOName, NoopName, PayloadName, SkewedName, AllocName, ExecName} {
		if w, err := Lookup(name); err != nil || !w.BuiltIn() {
			t.Errorf("%s: built in %v (%v), want true", name, w.BuiltIn(), err)
		}
	}
	for _, name := range []string{userDouble.Name(), "test.user.len"} {
		if w, _ := Lookup(name); w.BuiltIn() {
			t.Errorf("%s, a program's own function, is taken for a built-in workload", name)
		}
	}
}
