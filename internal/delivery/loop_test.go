package delivery

import (
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Every test ends its loop: a goroutine left behind is a failure.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recorder collects what a loop delivered, on the loop's goroutine; read
// it only after Exited.
type recorder struct {
	got []int
}

func (r *recorder) deliver(v int) { r.got = append(r.got, v) }

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// Items come out in the order they went in, whether pushed one at a time or
// many at once, while a delivery is in progress or not, each once.
func TestOrderKept(t *testing.T) {
	tests := []struct {
		name   string
		pushes [][]int
	}{
		{"one at a time", func() [][]int {
			var p [][]int
			for i := range 500 {
				p = append(p, []int{i})
			}
			return p
		}()},
		{"in batches", [][]int{seq(0, 7), seq(7, 8), seq(8, 300), seq(300, 301)}},
		{"empty pushes between", [][]int{nil, seq(0, 3), {}, seq(3, 10), nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			l := New(r.deliver)
			var want []int
			for _, p := range tt.pushes {
				if !l.Push(p...) {
					t.Fatalf("Push(%v) refused before Finish", p)
				}
				want = append(want, p...)
			}
			l.Finish()
			<-l.Exited()
			if !slices.Equal(r.got, want) {
				t.Fatalf("delivered %v, want %v", r.got, want)
			}
		})
	}
}

// Finish lets the loop deliver everything queued, including what is pushed
// while it drains, and Push never waits on a delivery in progress: the
// first delivery is held until the rest was pushed and Finish called.
func TestFinishDrains(t *testing.T) {
	var r recorder
	started, release := make(chan struct{}), make(chan struct{})
	l := New(func(v int) {
		if v == 0 {
			close(started)
			<-release
		}
		r.deliver(v)
	})
	l.Push(0)
	<-started
	l.Push(seq(1, 50)...)
	l.Finish()
	if !l.Push(seq(50, 100)...) {
		t.Fatal("Push after Finish refused while the loop still drains")
	}
	select {
	case <-l.Exited():
		t.Fatal("loop exited with a delivery in progress")
	default:
	}
	close(release)
	<-l.Exited()
	if want := seq(0, 100); !slices.Equal(r.got, want) {
		t.Fatalf("delivered %v, want %v", r.got, want)
	}
}

// Once the loop has exited, Push takes nothing, says so, and delivers
// nothing: the caller still owns what it tried to push.
func TestPushAfterExit(t *testing.T) {
	var mu sync.Mutex
	var got []int
	l := New(func(v int) { mu.Lock(); got = append(got, v); mu.Unlock() })
	l.Finish()
	<-l.Exited()
	if l.Push(1, 2) {
		t.Error("Push after the loop exited reported the items taken")
	}
	if !l.Push() {
		t.Error("Push of nothing reported false")
	}
	l.Finish() // a second Finish does nothing
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 0 {
		t.Errorf("delivered %v after the loop exited", got)
	}
}

// Finish may be called from deliver itself, as a pool's Terminate is from a
// callback: it must not wait for the loop it runs on, and what is queued
// behind it is still delivered.
func TestFinishFromDeliver(t *testing.T) {
	var r recorder
	var l *Loop[int]
	ready := make(chan struct{})
	l = New(func(v int) {
		<-ready
		if v == 2 {
			l.Finish()
		}
		r.deliver(v)
	})
	l.Push(seq(0, 5)...)
	close(ready)
	<-l.Exited()
	if want := seq(0, 5); !slices.Equal(r.got, want) {
		t.Fatalf("delivered %v, want %v", r.got, want)
	}
}

// A channel already closed is done within any time, zero included, every
// time; one that stays open is not.
func TestWithin(t *testing.T) {
	done := make(chan struct{})
	if Within(done, time.Millisecond) {
		t.Fatal("an open channel was done")
	}
	close(done)
	for i := range 1000 {
		if !Within(done, 0) {
			t.Fatalf("a closed channel timed out on look %d", i)
		}
	}
}
