package procpool

import (
	"bytes"
	"context"
	"runtime/metrics"
	"testing"
)

// A recycled value is the memory the next result that fits it is read
// into; one too small, too large or too short to keep is not.
func TestRecycleReadsTheNextResultIntoIt(t *testing.T) {
	tests := []struct {
		name           string
		recycled, next int
		reused         bool
	}{
		{"same size", 64 << 10, 64 << 10, true},
		{"smaller result", 64 << 10, 40 << 10, true},
		{"result under half of it", 64 << 10, 20 << 10, false},
		{"larger result", 32 << 10, 64 << 10, false},
		{"below the minimum", refMin - 1, refMin - 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, 1)
			echo := func(n int, fill byte) []byte {
				t.Helper()
				args := bytes.Repeat([]byte{fill}, n)
				r, err := p.Apply(context.Background(), Task{Func: "test.echo", Args: args})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(r.Value, args) {
					t.Fatalf("echo of %d bytes came back as %d bytes, or changed", n, len(r.Value))
				}
				return r.Value
			}
			old := echo(tt.recycled, 1)
			p.Recycle(old)
			v := echo(tt.next, 2)
			if got := &v[0] == &old[0]; got != tt.reused {
				t.Fatalf("result read into the recycled value: %v, want %v", got, tt.reused)
			}
		})
	}
}

// Without LendArgs the pool copies a task's arguments when it is submitted;
// with it, it sends them from the caller's buffer.
func TestLendArgsSkipsTheCopy(t *testing.T) {
	const size = 4 << 20
	for _, lend := range []bool{false, true} {
		var opts []Option
		if lend {
			opts = append(opts, LendArgs())
		}
		p := newPool(t, 1, opts...)
		args := bytes.Repeat([]byte{7}, size)
		before := heapAllocs()
		a, err := p.ApplyAsync(Task{Func: "test.noop", Args: args}, nil, nil)
		allocated := heapAllocs() - before
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Get(context.Background()); err != nil {
			t.Fatal(err)
		}
		if copied := allocated >= size; copied == lend {
			t.Errorf("LendArgs %v: submitting %d bytes allocated %d", lend, size, allocated)
		}
	}
}

// heapAllocs is the bytes this process has allocated on the heap so far.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// The spare store keeps a buffer once however often it is handed back, and
// lets its oldest buffer go for a new one when full.
func TestSpareBuffers(t *testing.T) {
	a, b, c := make([]byte, 1<<20), make([]byte, 2<<20), make([]byte, 4<<20)
	tests := []struct {
		name string
		put  [][]byte
		want [][]byte // kept, oldest first
	}{
		{"twice the same", [][]byte{a, a}, [][]byte{a}},
		{"a slice of one kept", [][]byte{a, a[:len(a)/2]}, [][]byte{a}},
		{"full: the oldest goes", [][]byte{a, b, c}, [][]byte{b, c}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spareBuffers{max: 2}
			for _, p := range tt.put {
				s.put(p)
			}
			if len(s.bufs) != len(tt.want) {
				t.Fatalf("kept %d buffers, want %d", len(s.bufs), len(tt.want))
			}
			for i := range tt.want {
				if &s.bufs[i][0] != &tt.want[i][0] {
					t.Errorf("buffer %d is not the one expected", i)
				}
			}
		})
	}
	// get hands each kept buffer out once.
	s := spareBuffers{max: 2}
	s.put(a)
	s.put(a)
	x, y := s.get(len(a)), s.get(len(a))
	if &x[0] == &y[0] {
		t.Error("one buffer handed out twice")
	}
}
