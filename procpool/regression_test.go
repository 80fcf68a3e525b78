package procpool

import (
	"context"
	"errors"
	"testing"
	"time"
)

func init() {
	for name, size := range map[string]int{"test.big1m": 1 << 20, "test.big8k": 8 << 10} {
		if err := Register(name, func([]byte) ([]byte, error) { return make([]byte, size), nil }); err != nil {
			panic(err)
		}
	}
}

// A live worker sends an oversized result while the parent still has tasks
// to write to it. Cleaning up must not wait for the blocked writer before
// killing the worker: the writer waits for the worker, which waits for the
// parent to read its result.
func TestOversizedResultWithAFullTaskPipe(t *testing.T) {
	p := newPool(t, 1, MaxFrame(64<<10), Prefetch(63))
	big, err := p.ApplyAsync(Task{Func: "test.big1m"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	submitted := make(chan struct{})
	go func() {
		defer close(submitted)
		for range 63 {
			p.ApplyAsync(Task{Func: "test.echo", Args: make([]byte, 4<<10)}, nil, nil)
		}
	}()
	_, err = big.GetTimeout(20 * time.Second)
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("oversized result: %v, want ErrFrameTooLarge", err)
	}
	select {
	case <-submitted:
	case <-time.After(20 * time.Second):
		t.Fatal("the submitter is still blocked on the dead worker's task pipe")
	}
}

// Results read before a bad frame must still reach their callers.
func TestResultsBeforeABadFrameAreDelivered(t *testing.T) {
	p := newPool(t, 1, MaxFrame(4096), Prefetch(4))
	cb := func(Result) {}
	p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(200 * time.Millisecond)}, nil, nil)
	small, _ := p.ApplyAsync(Task{Func: "test.echo", Args: []byte("x")}, cb, cb)
	big, _ := p.ApplyAsync(Task{Func: "test.big8k"}, cb, cb)
	if _, err := big.GetTimeout(20 * time.Second); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("8 KiB result under a 4 KiB limit: %v", err)
	}
	v, err := small.GetTimeout(20 * time.Second)
	if errors.Is(err, ErrTimeout) {
		t.Fatal("a finished task before the bad frame was never delivered")
	}
	if err == nil && string(v) != "x" {
		t.Fatalf("got %q", v)
	}
}

// A result with a callback, read while the next result is already
// buffered, waits for the batch to be handed over; that must happen even
// when the next result, the last one buffered, has nothing for the
// handler to run (an Apply's handle, completed in place).
func TestCallbackResultBeforeAnApplysIsDelivered(t *testing.T) {
	p := newPool(t, 1, Prefetch(4))
	for round := range 20 {
		ran := make(chan struct{}, 1)
		// Submitted together, so that the worker's two results tend to
		// arrive in one read.
		async := p.newAsync(Task{Func: "test.echo", Args: []byte("a")}, func(Result) { ran <- struct{}{} }, nil, nil)
		apply := p.newAsync(Task{Func: "test.echo", Args: []byte("b")}, nil, nil, nil)
		if err := p.submit(async, apply); err != nil {
			t.Fatal(err)
		}
		if _, err := apply.GetTimeout(time.Minute); err != nil {
			t.Fatal(err)
		}
		// Nothing else will come from this worker to carry the first
		// result along: it arrives now or never.
		if _, err := async.GetTimeout(20 * time.Second); err != nil {
			t.Fatalf("round %d: the result with a callback, after the one without: %v", round, err)
		}
		<-ran
	}
}

// A prefetched task's wait must not count against the task timeout, and a
// finished result must not wait in the worker while the next task runs.
func TestPrefetchedTasksAndPromptResults(t *testing.T) {
	// Two tasks of 1.5 s fit a 2 s timeout only if each is timed from its
	// own start, not from when it reached the worker.
	p := newPool(t, 1, TaskTimeout(2*time.Second), Prefetch(1))
	args := make([][]byte, 3)
	for i := range args {
		args[i] = sleepArgs(1500 * time.Millisecond)
	}
	res, err := p.Map(context.Background(), "test.sleep", args)
	if err != nil {
		t.Fatalf("1.5 s tasks under a 2 s timeout: %v", err)
	}
	for i, r := range res[:2] {
		// Held for the next task, it would arrive once that one finished.
		if next := res[i+1]; !r.Delivered.Before(next.Finished) {
			t.Errorf("task %d's result reached the pool at %v, after the next task finished at %v", i, r.Delivered, next.Finished)
		}
	}
}

// A result of a task that ran a while (here a few milliseconds, over
// sendAtOnce) leaves as its task ends, even when its worker has one P and
// the next task, already at hand, never yields it to another goroutine.
func TestResultLeavesBeforeAHoggingNextTask(t *testing.T) {
	p := newPool(t, 1, Prefetch(2), Env("GOMAXPROCS=1", "GODEBUG=asyncpreemptoff=1"))
	// Both tasks reach the pipe while the worker sleeps, so it reads them
	// at once: the second is at hand when the first ends.
	if _, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(100 * time.Millisecond)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	res, err := p.Map(context.Background(), "test.hog", [][]byte{[]byte("3000000"), []byte("500000000")})
	if err != nil {
		t.Fatal(err)
	}
	// Without its own write, the first result waits for the hog to yield,
	// which it does only as it returns: Delivered lands at its very end.
	r, next := res[0], res[1]
	half := next.Started.Add(next.Finished.Sub(next.Started) / 2)
	if !r.Delivered.Before(half) {
		t.Errorf("the first result reached the pool %v after the next task started, which ran %v",
			r.Delivered.Sub(next.Started), next.Finished.Sub(next.Started))
	}
}

func TestTerminatedTasksHaveSaneLatency(t *testing.T) {
	p := newPool(t, 1, Prefetch(0))
	got := make(chan time.Duration, 2)
	cb := func(r Result) { got <- r.Latency() }
	p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Hour)}, cb, cb)
	p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Hour)}, cb, cb)
	waitRunning(t, p, 1)
	p.Terminate()
	p.Join()
	for range 2 {
		if d := <-got; d < 0 || d > time.Minute {
			t.Errorf("latency %v of a terminated task", d)
		}
	}
}
