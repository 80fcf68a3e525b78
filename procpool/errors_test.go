package procpool

import (
	"fmt"
	"testing"
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
