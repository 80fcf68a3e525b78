package natspool

import (
	"context"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/schedstat"
)

func TestSpawnsAreRecorded(t *testing.T) {
	p := newPool(t, 3)
	if err := p.WaitWorkers(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	// The scheduler's own count, read after the ready messages: a worker
	// cannot have used more CPU to get ready than it has used by now.
	procCPU := map[int]time.Duration{}
	for _, pid := range p.PIDs() {
		procCPU[pid] = schedstat.CPU(t, pid)
	}
	st := p.Stats()
	if len(st.Spawns) != 3 {
		t.Fatalf("%d spawns listed, want 3", len(st.Spawns))
	}
	for _, s := range st.Spawns {
		if s.Duration <= 0 || s.CPU <= 0 || s.Start.IsZero() {
			t.Fatalf("spawn %+v", s)
		}
		if total, ok := procCPU[s.PID]; !ok || s.CPU > total {
			t.Fatalf("worker %d used %v to get ready, but the scheduler counts %v in all (known: %v)", s.PID, s.CPU, total, ok)
		}
	}
}
