package workloads

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBuiltinsRegistered(t *testing.T) {
	// A program's own functions (AddUserFuncs; this binary has one) are
	// workloads too, but not built in.
	var builtins []string
	for _, n := range Names() {
		if w, _ := Lookup(n); !w.FromArgsFile {
			builtins = append(builtins, n)
		}
	}
	got := strings.Join(builtins, ",")
	if got != "alloc,cpu,exec,io,noop,payload,skewed" {
		t.Fatalf("Names() = %s, want alloc,cpu,exec,io,noop,payload,skewed", got)
	}
	// --workload all keeps its meaning: the new workloads are named.
	if got := strings.Join(Standard(), ","); got != "cpu,io,noop" {
		t.Fatalf("Standard() = %s, want cpu,io,noop", got)
	}
}

func TestLookupUnknownListsNames(t *testing.T) {
	_, err := Lookup("gpu")
	if !errors.Is(err, ErrUnknown) {
		t.Fatalf("err = %v, want ErrUnknown", err)
	}
	if !strings.Contains(err.Error(), "cpu, exec, io, noop") {
		t.Errorf("error %q does not list the workloads", err)
	}
}

func TestCPUIsDeterministicAndIndexed(t *testing.T) {
	w, _ := Lookup(CPUName)
	a, err := w.Run(Args(1000, 7))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := w.Run(Args(1000, 7))
	c, _ := w.Run(Args(1000, 8))
	d, _ := w.Run(Args(1001, 7))
	if len(a) != 32 || !bytes.Equal(a, b) {
		t.Fatalf("same task gave %x and %x", a, b)
	}
	if bytes.Equal(a, c) || bytes.Equal(a, d) {
		t.Fatal("different index or size gave the same checksum: the work could be skipped")
	}
}

func TestIOSleeps(t *testing.T) {
	w, _ := Lookup(IOName)
	start := time.Now()
	if _, err := w.Run(Args(uint64(20*time.Millisecond), 0)); err != nil {
		t.Fatal(err)
	}
	// A lower bound only: sleeping can overshoot on a busy machine, never undershoot.
	if el := time.Since(start); el < 20*time.Millisecond {
		t.Fatalf("io task returned after %v, want at least 20ms", el)
	}
}

func TestBadArgs(t *testing.T) {
	for _, name := range []string{CPUName, IOName} {
		fn, _ := LookupFunc(name)
		if _, err := fn([]byte{1, 2, 3}); err == nil {
			t.Errorf("%s accepted 3 bytes of arguments", name)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		workload, in string
		want         uint64
		ok           bool
	}{
		{CPUName, "300k", 300_000, true},
		{CPUName, "2m", 2_000_000, true},
		{CPUName, "1234", 1234, true},
		{CPUName, "0", 0, false},
		{CPUName, "-5", 0, false},
		{CPUName, "lots", 0, false},
		{CPUName, "99999999999999m", 0, false},
		{IOName, "100ms", uint64(100 * time.Millisecond), true},
		{IOName, "0s", 0, false},
		{IOName, "-1s", 0, false},
		{IOName, "100", 0, false},
		{NoopName, "0", 0, true}, // its default
		{NoopName, "anything", 0, false},
		{ExecName, "0", 0, true},
		{ExecName, "5", 0, false},
	}
	for _, tt := range tests {
		w, _ := Lookup(tt.workload)
		got, err := w.ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s.ParseSize(%q) = %d, %v; want %d, ok=%v", tt.workload, tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestRegisterRejectsDuplicates(t *testing.T) {
	if err := Register(Workload{Name: CPUName, Run: noop}); err == nil {
		t.Fatal("registering cpu twice succeeded")
	}
	if err := RegisterFunc(NoopName, noop); err == nil {
		t.Fatal("registering a func under a workload's name succeeded")
	}
}

func BenchmarkCPUDefaultTask(b *testing.B) {
	w, _ := Lookup(CPUName)
	size, _ := w.ParseSize(w.DefaultSize)
	for i := 0; b.Loop(); i++ {
		if _, err := w.Run(Args(size, uint64(i))); err != nil {
			b.Fatal(err)
		}
	}
}
