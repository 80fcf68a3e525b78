package measure

import "testing"

// TestCPUBook replays sequences of readings. Each step either reads a
// process (own and reaped ticks), or records that one vanished; want is what
// take returns after the step.
func TestCPUBook(t *testing.T) {
	type step struct {
		op          string // baseline, born, observe, vanish
		pid, ppid   int
		own, reaped uint64
		want        uint64
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"baseline not counted", []step{
			{op: "baseline", pid: 1, own: 500},
			{op: "observe", pid: 1, own: 520, want: 20},
			{op: "observe", pid: 1, own: 530, want: 10},
		}},
		{"born counted in full", []step{
			{op: "baseline", pid: 1, own: 500},
			{op: "born", pid: 2, ppid: 1},
			{op: "observe", pid: 2, ppid: 1, own: 30, want: 30},
		}},
		{"never negative", []step{
			{op: "baseline", pid: 1, own: 500, reaped: 50},
			{op: "observe", pid: 1, own: 490, reaped: 40, want: 0},
			{op: "observe", pid: 1, own: 505, reaped: 50, want: 5},
		}},
		{"reaped child's tail counted once", []step{
			{op: "baseline", pid: 1, own: 100},
			{op: "born", pid: 2, ppid: 1},
			{op: "observe", pid: 2, ppid: 1, own: 40, want: 40},
			// The child ran 15 more ticks unseen, then its parent reaped it.
			{op: "vanish", pid: 2},
			{op: "observe", pid: 1, own: 100, reaped: 55, want: 15},
		}},
		{"parent read before reaping shows up", []step{
			{op: "baseline", pid: 1},
			{op: "born", pid: 2, ppid: 1},
			{op: "observe", pid: 2, ppid: 1, own: 40, want: 40},
			{op: "vanish", pid: 2},
			{op: "observe", pid: 1, reaped: 0, want: 0},
			{op: "observe", pid: 1, reaped: 45, want: 5},
		}},
		{"child never read counted through parent", []step{
			{op: "baseline", pid: 1},
			{op: "born", pid: 2, ppid: 1},
			{op: "vanish", pid: 2},
			{op: "observe", pid: 1, reaped: 25, want: 25},
		}},
		{"baseline child's past not counted when reaped", []step{
			{op: "baseline", pid: 1},
			{op: "baseline", pid: 2, ppid: 1, own: 1000},
			{op: "observe", pid: 2, ppid: 1, own: 1010, want: 10},
			{op: "vanish", pid: 2},
			{op: "observe", pid: 1, reaped: 1012, want: 2},
		}},
		{"grandchild reaped by child reaped by root", []step{
			{op: "baseline", pid: 1},
			{op: "born", pid: 2, ppid: 1},
			{op: "born", pid: 3, ppid: 2},
			{op: "observe", pid: 3, ppid: 2, own: 50, want: 50},
			{op: "observe", pid: 2, ppid: 1, own: 5, want: 5},
			{op: "vanish", pid: 3}, // 10 more unseen ticks
			{op: "observe", pid: 2, ppid: 1, own: 5, reaped: 60, want: 10},
			{op: "vanish", pid: 2}, // 1 more unseen tick
			{op: "observe", pid: 1, reaped: 66, want: 1},
		}},
		{"orphan's tail lost, nothing else", []step{
			{op: "baseline", pid: 1},
			{op: "born", pid: 2, ppid: 1},
			{op: "observe", pid: 2, ppid: 99, own: 30, want: 30},
			{op: "vanish", pid: 2},
			{op: "observe", pid: 1, own: 4, want: 4},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newCPUBook()
			for i, s := range tt.steps {
				switch s.op {
				case "baseline":
					b.baseline(s.pid, s.ppid, s.own, s.reaped)
				case "born":
					b.born(s.pid, s.ppid)
				case "observe":
					b.observe(s.pid, s.ppid, s.own, s.reaped)
				case "vanish":
					b.vanish(s.pid)
				}
				if got := b.take(); got != s.want {
					t.Fatalf("step %d (%s pid %d): counted %d ticks, want %d", i, s.op, s.pid, got, s.want)
				}
			}
		})
	}
}
