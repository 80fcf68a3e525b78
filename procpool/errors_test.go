package procpool

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// A TaskError formats as its message would, but for %+v, which adds the
// worker's stack.
func TestTaskErrorFormat(t *testing.T) {
	e := &TaskError{Func: "f", PID: 7, Msg: "panic: x", Stack: "goroutine 1"}
	msg := e.Error()
	for _, tc := range []struct{ format, want string }{
		{"%v", msg},
		{"%s", msg},
		{"%q", fmt.Sprintf("%q", msg)},
		{"%.8s", msg[:8]},
		{"%+v", msg + "\ngoroutine 1"},
	} {
		if got := fmt.Sprintf(tc.format, e); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.format, got, tc.want)
		}
	}
	e.Stack = ""
	if got := fmt.Sprintf("%+v", e); got != msg {
		t.Errorf("%%+v without a stack: %q, want %q", got, msg)
	}
}

// A panic's value and stack travel apart whatever they hold, and a panic
// cut to fit a limit is still one: its value whole where it fits, a stack
// ending in the cut's mark, and never over the limit.
func FuzzPanicPayload(f *testing.F) {
	f.Add("boom", "goroutine 1 [running]:\nmain.main()", 40)
	f.Add("first\nsecond", "goroutine 7", 10)
	f.Add(strings.Repeat("é", 3000), strings.Repeat("frame\n", 500), 5000)
	f.Fuzz(func(t *testing.T, msg, stack string, limit int) {
		p := AppendPanic(nil, msg, stack)
		if m, s := SplitPanic(p); m != msg || s != stack {
			t.Fatalf("round trip: %q, %q; want %q, %q", m, s, msg, stack)
		}
		limit = min(max(limit, 0), 1<<20)
		cut := CutPanic(p, limit)
		if len(cut) > limit && len(p) > limit {
			t.Fatalf("cut to %d: %d bytes", limit, len(cut))
		}
		if len(p) <= limit {
			if string(cut) != string(p) {
				t.Fatal("a payload within the limit was changed")
			}
			return
		}
		if len(cut) == 0 {
			return // a limit too small for any panic
		}
		m, s := SplitPanic(cut)
		if utf8.ValidString(msg+stack) && !utf8.ValidString(m+s) {
			t.Fatalf("cut to %d: value %q, stack %q: a character cut in two", limit, m, s)
		}
		if s == "" || !strings.HasSuffix(s, "(cut to fit)") || !strings.HasPrefix(msg, m) || !strings.HasPrefix(s, stack[:min(len(stack), len(s)-len("\n... (cut to fit)"))]) {
			t.Fatalf("cut to %d: value %q, stack %q", limit, m, s)
		}
	})
}

// A failure's text cut to fit ends before the character the limit falls
// in, never inside it; bytes that are not UTF-8 are cut where the limit
// says.
func TestCutFailureKeepsCharactersWhole(t *testing.T) {
	for _, c := range []struct {
		name, text string
		n          int
		want       string
	}{
		{"fits", "héllo", 6, "héllo"},
		{"ascii", "hello", 3, "hel"},
		{"before a two-byte character", "hé", 1, "h"},
		{"inside a two-byte character", "hé", 2, "h"},
		{"inside a four-byte character", "a🙂", 3, "a"},
		{"inside the first character", "日本", 2, ""},
		{"after a four-byte character", "a🙂b", 5, "a🙂"},
		{"not UTF-8", "a\x80\x80\x80\x80\x80", 4, "a\x80\x80\x80"},
		{"negative", "abc", -1, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := string(CutFailure([]byte(c.text), c.n, false)); got != c.want {
				t.Errorf("CutFailure(%q, %d) = %q, want %q", c.text, c.n, got, c.want)
			}
		})
	}
}
