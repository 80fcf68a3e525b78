package pyref

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

// TestTwinsEqualGo: the script's twin of each workload gives, task by
// task, the value Go's workload gives for the same task under the same
// options, whether the task runs in the owner, in a process of its own or
// in a pool worker (payload's input crossing to it).
func TestTwinsEqualGo(t *testing.T) {
	const tasks = 6
	opts := workloads.Options{Seed: -7, PayloadIn: 10_000, PayloadOut: 3_000, Skew: 1.5}
	tests := []struct {
		name, workload string
		size           uint64
		opts           workloads.Options
	}{
		{"skewed", workloads.SkewedName, 400, opts},
		{"alloc", workloads.AllocName, 64<<10 + 100, opts},
		{"payload", workloads.PayloadName, 0, opts},
		{"payload-out-below-crc", workloads.PayloadName, 0, workloads.Options{Seed: 1 << 40, PayloadIn: 1, PayloadOut: 3}},
		{"payload-past-buffers", workloads.PayloadName, 0, workloads.Options{PayloadIn: 300 << 10, PayloadOut: 70 << 10}},
		{"noop", workloads.NoopName, 0, opts},
	}
	for _, tt := range tests {
		w, err := workloads.Lookup(tt.workload)
		if err != nil {
			t.Fatal(err)
		}
		if !w.Python || !twinFor(tt.workload) {
			t.Fatalf("%s: Python %v, but the script's twins are %v", tt.workload, w.Python, Workloads)
		}
		for _, strategy := range []string{"serial", "process-per-task", "pool-apply-async", "pool-map"} {
			t.Run(tt.name+"/"+strategy, func(t *testing.T) {
				j := job(strategy, tt.workload, tt.size, tasks)
				j.StartMethod = "fork"
				j.Seed = tt.opts.Seed
				if tt.workload == workloads.PayloadName {
					j.PayloadIn, j.PayloadOut = workloads.PayloadSizes(tt.opts)
				}
				if tt.workload == workloads.SkewedName {
					for i := range tasks {
						j.Sizes = append(j.Sizes, workloads.SkewedRounds(tt.size, tt.opts, i))
					}
				}
				_, s, err := run(t, context.Background(), j)
				if err != nil {
					t.Fatal(err)
				}
				for i := range tasks {
					want, err := w.Run(w.ArgsFor(tt.size, tt.opts, i))
					if err != nil {
						t.Fatal(err)
					}
					if got, ok := s.values[i]; !ok || !bytes.Equal(got, want) {
						t.Errorf("task %d: python %d bytes %.16x, go %d bytes %.16x (error %v)", i, len(got), got, len(want), want, s.errs[i])
					}
				}
			})
		}
	}
}

func twinFor(workload string) bool {
	for _, w := range Workloads {
		if w == workload {
			return true
		}
	}
	return false
}

// TestTaskTimes: a TimedSink gets each task's finishing time as the script
// clocked it, within the run, and not the time its batch arrived: tasks a
// sleep apart finish that far apart.
func TestTaskTimes(t *testing.T) {
	in := needPython(t)
	s := &timedSink{sink: newSink(), at: map[int]time.Time{}}
	const sleep = 60 * time.Millisecond
	before := time.Now()
	rep, err := Run(context.Background(), in.Path, job("serial", "io", uint64(sleep), 3), s)
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		at, ok := s.at[i]
		if !ok || at.Before(before) || at.After(after) || at.Before(rep.Begin) {
			t.Fatalf("task %d done at %v; the run began %v, Run was called at %v and returned at %v", i, at, rep.Begin, before, after)
		}
		if i > 0 && at.Sub(s.at[i-1]) < sleep {
			t.Errorf("task %d done %v after task %d, less than the %v it slept", i, at.Sub(s.at[i-1]), i-1, sleep)
		}
	}
	// Told when the work began, before any task, as the report says.
	if s.began != rep.Begin || s.beganAfter != 0 {
		t.Errorf("Began(%v) after %d tasks; the report's begin is %v", s.began, s.beganAfter, rep.Begin)
	}
}

type timedSink struct {
	*sink
	at         map[int]time.Time
	began      time.Time
	beganAfter int // tasks done when Began came
}

func (s *timedSink) Began(at time.Time) {
	s.mu.Lock()
	s.began, s.beganAfter = at, len(s.at)
	s.mu.Unlock()
}

func (s *timedSink) TaskAt(i int, v []byte, err error, l time.Duration, done time.Time) {
	s.Task(i, v, err, l)
	s.mu.Lock()
	s.at[i] = done
	s.mu.Unlock()
}
