package workloads

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPayloadMovesAndChecksItsBytes(t *testing.T) {
	tests := []struct {
		name    string
		in, out uint64
	}{
		{"symmetric default", 0, 0},
		{"asymmetric", 1 << 20, 1 << 10},
		{"tiny out", 100, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Seed: 7, PayloadIn: tt.in, PayloadOut: tt.out}
			wantIn, wantOut := PayloadSizes(o)
			w, _ := Lookup(PayloadName)
			args := w.ArgsFor(0, o, 5)
			if uint64(len(args)) != 16+wantIn {
				t.Fatalf("args are %d bytes, want %d", len(args), 16+wantIn)
			}
			// The task may write its result over its arguments: keep the
			// input as it was sent.
			input := bytes.Clone(args[16:])
			v, err := w.Run(args)
			if err != nil {
				t.Fatal(err)
			}
			if uint64(len(v)) != wantOut {
				t.Fatalf("returned %d bytes, want %d", len(v), wantOut)
			}
			// The CRC is computed here independently of the pattern code.
			var crc [4]byte
			binary.LittleEndian.PutUint32(crc[:], crc32.ChecksumIEEE(input))
			if n := min(4, len(v)); !bytes.Equal(v[:n], crc[:n]) {
				t.Fatalf("result starts %x, want the input's CRC %x", v[:n], crc[:n])
			}
			// Past the CRC, the output is the pattern at offset crc mod 256.
			for j := 4; j < len(v); j++ {
				if want := byte(j) + crc[0]; v[j] != want {
					t.Fatalf("output byte %d = %d, want %d", j, v[j], want)
				}
			}
			// The input is the documented pattern: (j + 31*index + seed) mod 256.
			for j, b := range input {
				if b != byte(j+31*5+7) {
					t.Fatalf("input byte %d = %d, want %d", j, b, byte(j+31*5+7))
				}
			}
			other, _ := w.Run(w.ArgsFor(0, o, 6))
			if len(v) >= 4 && bytes.Equal(v, other) {
				t.Fatal("two tasks returned the same bytes: the transfer could be skipped")
			}
		})
	}
}

func TestParsePayload(t *testing.T) {
	tests := []struct {
		in          string
		wantIn, out uint64
		ok          bool
	}{
		{"", DefaultPayload, DefaultPayload, true},
		{"1MiB", 1 << 20, 1 << 20, true},
		{"in=1MiB,out=1KiB", 1 << 20, 1 << 10, true},
		{"out=100", DefaultPayload, 100, true},
		{"4096", 4096, 4096, true},
		{"0", 0, 0, false},
		{"in=0", 0, 0, false},
		{"sideways=1KiB", 0, 0, false},
		{"lots", 0, 0, false},
		{"in=1MiB;out=1KiB", 0, 0, false},
		{"in=1MiB,in=1KiB", 0, 0, false}, // not the last one silently
	}
	for _, tt := range tests {
		in, out, err := ParsePayload(tt.in)
		if (err == nil) != tt.ok || (tt.ok && (in != tt.wantIn || out != tt.out)) {
			t.Errorf("ParsePayload(%q) = %d, %d, %v", tt.in, in, out, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("ParsePayload(%q): error of several lines: %q", tt.in, err)
		}
	}
	if err := checkPayload(Options{PayloadIn: MaxPayload + 1}); err == nil {
		t.Error("a payload above MaxPayload was accepted")
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"64KiB", 64 << 10, true}, {"1mib", 1 << 20, true}, {"2GiB", 2 << 30, true},
		{"1kB", 1000, true}, {"5MB", 5_000_000, true}, {"12", 12, true}, {"12B", 12, true},
		{"16m", 16 << 20, true}, {"-1", 0, false}, {"1.5MiB", 0, false}, {"", 0, false},
		{"99999999TiB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestSkewedRoundsAreLogNormalWithTheMean(t *testing.T) {
	const mean, n = 100_000, 50_000
	for _, sigma := range []float64{0.5, 1} {
		o := Options{Seed: 3, Skew: sigma}
		var sum, logSum, logSq float64
		for i := range n {
			r := float64(SkewedRounds(mean, o, i))
			sum += r
			logSum += math.Log(r)
			logSq += math.Log(r) * math.Log(r)
		}
		gotMean := sum / n
		logMean := logSum / n
		gotSigma := math.Sqrt(logSq/n - logMean*logMean)
		// Sampling error of the mean at sigma 1 over 50k draws is about 0.6%.
		if math.Abs(gotMean/mean-1) > 0.03 {
			t.Errorf("sigma %g: mean %.0f rounds, want %d within 3%%", sigma, gotMean, mean)
		}
		if math.Abs(gotSigma-sigma) > 0.02 {
			t.Errorf("sigma %g: log rounds spread %.3f", sigma, gotSigma)
		}
	}
	if SkewedRounds(mean, Options{Seed: 3}, 9) != mean {
		t.Error("sigma 0 did not give every task the mean")
	}
	a, b := SkewedRounds(mean, Options{Seed: 3, Skew: 1}, 9), SkewedRounds(mean, Options{Seed: 3, Skew: 1}, 9)
	c := SkewedRounds(mean, Options{Seed: 4, Skew: 1}, 9)
	if a != b || a == c {
		t.Errorf("rounds of one task: %d, %d; another seed %d: want reproducible and seed-dependent", a, b, c)
	}
}

func TestSkewedRunsTheCPUChain(t *testing.T) {
	w, _ := Lookup(SkewedName)
	o := Options{Seed: 1, Skew: 1}
	args := w.ArgsFor(1000, o, 4)
	got, err := w.Run(args)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := cpu(Args(SkewedRounds(1000, o, 4), 4))
	if !bytes.Equal(got, want) {
		t.Fatal("a skewed task is not the cpu chain of its round count")
	}
	for _, bad := range []float64{-1, math.NaN(), 10} {
		if err := checkSkew(Options{Skew: bad}); err == nil {
			t.Errorf("--skew %g accepted", bad)
		}
	}
}

func TestAllocChecksumAndAllocations(t *testing.T) {
	const size, index = 64 * 1000, 3
	v, err := alloc(Args(size, index))
	if err != nil {
		t.Fatal(err)
	}
	var want uint64
	for j := range uint64(size / 64) {
		want += index<<32 | j
	}
	if got := binary.LittleEndian.Uint64(v); got != want {
		t.Fatalf("checksum %d, want %d", got, want)
	}
	// Every object must reach the heap, or there is no GC pressure.
	allocs := testing.AllocsPerRun(3, func() { alloc(Args(size, index)) })
	if allocs < size/64 {
		t.Fatalf("%.0f allocations for %d objects", allocs, size/64)
	}
}

func TestExecRunsTheCommandPerTask(t *testing.T) {
	w, _ := Lookup(ExecName)
	tests := []struct {
		name    string
		o       Options
		index   int
		wantErr string
	}{
		{"shell ok", Options{Cmd: "test {} -eq 4"}, 4, ""},
		{"shell exit", Options{Cmd: "echo first >&2; echo 'last words {}' >&2; exit 3"}, 2, "exit status 3: last words 2"},
		{"argv ok", Options{Cmd: "test {} = 5", CmdArgv: true}, 5, ""},
		{"argv exit", Options{Cmd: "false", CmdArgv: true}, 0, "exit status 1"},
		{"argv no shell", Options{Cmd: "test 1 -eq 1 && false", CmdArgv: true}, 0, "exit status 2"},
		{"missing program", Options{Cmd: "/nonexistent/prog", CmdArgv: true}, 0, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.Run(w.ArgsFor(0, tt.o, tt.index))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	if checkExec(Options{}) == nil || checkExec(Options{Cmd: " ", CmdArgv: true}) == nil {
		t.Error("exec without a command was accepted")
	}
}

func FuzzTaskArgs(f *testing.F) {
	f.Add([]byte{})
	f.Add(payloadArgs(0, Options{PayloadIn: 10, PayloadOut: 10}, 1))
	f.Add(Args(100, 2))
	f.Fuzz(func(t *testing.T, args []byte) {
		// Decoders refuse bad buffers with an error, never a panic or a
		// huge allocation.
		payload(args)
		if len(args) == 16 && binary.LittleEndian.Uint64(args[:8]) > 1<<16 {
			return // a valid but long alloc task
		}
		alloc(args)
	})
}

// The runtime's own count of heap allocation grows by at least the task
// size for one alloc task: the pressure is on the collector, not the stack.
func TestAllocReachesTheHeap(t *testing.T) {
	const size = 4 << 20
	read := func() (bytes, objects uint64) {
		s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/allocs:objects"}}
		metrics.Read(s)
		return s[0].Value.Uint64(), s[1].Value.Uint64()
	}
	b0, o0 := read()
	if _, err := alloc(Args(size, 1)); err != nil {
		t.Fatal(err)
	}
	b1, o1 := read()
	// Object counts reach the runtime's totals when a per-P cache is
	// refilled, so the last few hundred (and their bytes) may not show
	// yet: allow 10%.
	if b1-b0 < size*9/10 || o1-o0 < size/64*9/10 {
		t.Fatalf("heap grew by %d bytes in %d objects for a %d-byte task", b1-b0, o1-o0, size)
	}
}

// Arguments built in reused memory are the same bytes as fresh ones, for
// any earlier contents and size.
func TestPayloadArgsInReusedMemory(t *testing.T) {
	w, _ := Lookup(PayloadName)
	tests := []struct {
		name     string
		old, new uint64
	}{
		{"same size", 64 << 10, 64 << 10},
		{"smaller", 256 << 10, 100 << 10},
		{"larger than the spare", 32 << 10, 64 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := w.ArgsFor(0, Options{Seed: 3, PayloadIn: tt.old, PayloadOut: 9}, 4)
			if _, err := w.Run(old); err != nil { // leaves its output over them
				t.Fatal(err)
			}
			o := Options{Seed: 5, PayloadIn: tt.new, PayloadOut: 7}
			want := bytes.Clone(w.ArgsFor(0, o, 11))
			w.Reuse(old)
			if got := w.ArgsFor(0, o, 11); !bytes.Equal(got, want) {
				t.Fatalf("arguments built in reused memory differ from fresh ones (%d and %d bytes)", len(got), len(want))
			}
		})
	}
}

// A task is its command: a process it leaves running in the background,
// holding the standard error it inherited, does not hold the task up, and
// a failing command's last words still reach its error.
func TestExecDoesNotWaitForWhatTheCommandLeftBehind(t *testing.T) {
	w, _ := Lookup(ExecName)
	for _, tt := range []struct {
		name, then, wantErr string
	}{
		{"succeeds", "echo done", ""},
		{"fails", "echo 'last words' >&2; exit 3", "exit status 3: last words"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			t.Cleanup(func() {
				if b, err := os.ReadFile(pidFile); err == nil {
					if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
						syscall.Kill(pid, syscall.SIGKILL)
					}
				}
			})
			cmd := "sleep 600 & echo $! > " + pidFile + "; " + tt.then
			done := make(chan error, 1)
			go func() {
				_, err := w.Run(w.ArgsFor(0, Options{Cmd: cmd}, 0))
				done <- err
			}()
			select {
			case err := <-done:
				if (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			case <-time.After(time.Minute): // a bound on a hang, not a timing claim
				t.Fatal("the task waited for the process its command left in the background")
			}
		})
	}
}

// What a process left in the background writes to its standard error after
// its task has ended is read and dropped: it goes on, rather than die of
// SIGPIPE on a pipe nobody reads.
func TestExecBackgroundOutlivesItsTask(t *testing.T) {
	w, _ := Lookup(ExecName)
	dir := t.TempDir()
	went := filepath.Join(dir, "went-on")
	release := filepath.Join(dir, "release")
	// It waits for the task to be over (the test's say-so), then writes
	// to its standard error and, if still alive, says so.
	cmd := "(while [ ! -e " + release + " ]; do sleep 0.01; done; echo late >&2; echo yes > " + went + ") &"
	if _, err := w.Run(w.ArgsFor(0, Options{Cmd: cmd}, 0)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); !fileExists(went); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) { // a bound on a hang, not a timing claim
			t.Fatal("the background process did not go on past its write to standard error")
		}
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
