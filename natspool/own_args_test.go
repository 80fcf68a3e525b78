package natspool

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCallerMayReuseArgs: once ApplyAsync or MapAsync has returned, the
// caller's argument buffers are its own again: tasks queued behind a busy
// worker run with the arguments they were given, not what the buffer holds
// by the time they are sent.
func TestCallerMayReuseArgs(t *testing.T) {
	p := newPool(t, 1)
	gate := filepath.Join(t.TempDir(), "go")
	busy, err := p.ApplyAsync(Task{Func: "test.wait-file", Args: []byte(gate)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	var hs []*AsyncResult
	var wants [][]byte
	for i := range 8 {
		want := bytes.Repeat([]byte{'a' + byte(i)}, len(buf))
		copy(buf, want)
		a, err := p.ApplyAsync(Task{Func: "test.echo", Args: buf}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		hs, wants = append(hs, a), append(wants, want)
		copy(buf, "CHANGED!") // the caller's buffer is its own again
	}
	batch := [][]byte{[]byte("first"), []byte("second")}
	var got []Result
	done := make(chan struct{})
	m, err := p.MapAsync("test.echo", batch, func(rs []Result) { got = rs; close(done) }, func(err error) { t.Error(err); close(done) })
	if err != nil {
		t.Fatal(err)
	}
	copy(batch[0], "XXXXX")
	copy(batch[1], "YYYYYY")
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := busy.GetTimeout(time.Minute); err != nil {
		t.Fatal(err)
	}
	for i, a := range hs {
		v, err := a.GetTimeout(time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(v, wants[i]) {
			t.Errorf("task %d ran with %q, was given %q", i, v, wants[i])
		}
	}
	m.Wait()
	<-done
	if len(got) != 2 || string(got[0].Value) != "first" || string(got[1].Value) != "second" {
		t.Errorf("MapAsync's tasks ran with %q, were given first and second", values(got))
	}
}

func values(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r.Value))
	}
	return out
}
