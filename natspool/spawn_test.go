package natspool

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// schedCPU is the time the scheduler counts on a CPU for pid's threads.
func schedCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	var sum time.Duration
	for _, task := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, task.Name()))
		if err != nil {
			continue // the thread has exited
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(data))[0], 10, 64)
		sum += time.Duration(ns)
	}
	return sum
}

func TestSpawnsAreRecorded(t *testing.T) {
	p := newPool(t, 3)
	if err := p.WaitWorkers(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	// The scheduler's own count, read after the ready messages: a worker
	// cannot have used more CPU to get ready than it has used by now.
	procCPU := map[int]time.Duration{}
	for _, pid := range p.PIDs() {
		procCPU[pid] = schedCPU(t, pid)
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
