package procpool

import "testing"

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
