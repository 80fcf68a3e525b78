package procpool

import (
	"bytes"
	"testing"
)

// TestStderrFilter: a worker's output passes through unchanged, however it
// is split into writes, until the runtime's thread-limit line: that line
// passes, is kept, and the dump after it is left out.
func TestStderrFilter(t *testing.T) {
	dump := "goroutine 1 gp=0x1 m=0 [running]:\nruntime.throw(...)\n\t/usr/local/go/src/runtime/panic.go:1\n"
	for _, c := range []struct {
		name, in, want, abort string
	}{
		{"plain output", "hello\nworld\npartial", "hello\nworld\npartial", ""},
		{"a last line that could have been the mark", "hello\nrun", "hello\nrun", ""},
		{"a line that starts like the mark", "runtime: fine\nruntime/cgo: ok\n", "runtime: fine\nruntime/cgo: ok\n", ""},
		{"the mark mid-line is output", "x runtime: failed to create new OS thread\n" + dump, "x runtime: failed to create new OS thread\n" + dump, ""},
		{"pure Go abort",
			"task said this\nruntime: failed to create new OS thread (have 7 already; errno=11)\nruntime: may need to increase max user processes (ulimit -u)\nfatal error: newosproc\n\n" + dump,
			"task said this\nruntime: failed to create new OS thread (have 7 already; errno=11)\n(the Go runtime's dump of this worker's stacks is left out)\n",
			"runtime: failed to create new OS thread (have 7 already; errno=11)"},
		{"cgo abort",
			"runtime/cgo: pthread_create failed: Resource temporarily unavailable\nSIGABRT: abort\nPC=0x1 m=0\n" + dump,
			"runtime/cgo: pthread_create failed: Resource temporarily unavailable\n(the Go runtime's dump of this worker's stacks is left out)\n",
			"runtime/cgo: pthread_create failed: Resource temporarily unavailable"},
	} {
		for _, split := range []int{1, 3, 7, 1 << 20} {
			var out bytes.Buffer
			f := &stderrFilter{w: &out}
			for s := c.in; s != ""; {
				k := min(split, len(s))
				if n, err := f.Write([]byte(s[:k])); n != k || err != nil {
					t.Fatalf("%s: Write = %d, %v", c.name, n, err)
				}
				s = s[k:]
			}
			f.flush()
			if out.String() != c.want {
				t.Errorf("%s, writes of %d: out %q, want %q", c.name, split, out.String(), c.want)
			}
			if got := f.abortLine(); got != c.abort {
				t.Errorf("%s, writes of %d: abort line %q, want %q", c.name, split, got, c.abort)
			}
		}
	}
	if (*stderrFilter)(nil).abortLine() != "" {
		t.Error("a discarded stderr has no abort line")
	}
}
