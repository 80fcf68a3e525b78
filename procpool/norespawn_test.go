package procpool

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func init() {
	// Exits once the file its argument names exists.
	MustRegister("test.exit-on", func(a []byte) ([]byte, error) {
		for {
			if _, err := os.Stat(string(a)); err == nil {
				os.Exit(3)
			}
			time.Sleep(time.Millisecond)
		}
	})
}

// A NoRespawn pool starts each worker once, as Python's Process runs one
// process: a worker that dies is not replaced, whatever moment it dies at
// (ten rounds, so that a death before or after Close is met), and the
// tasks left with no worker fail with ErrNoWorkers instead of waiting.
func TestNoRespawnStartsEachWorkerOnce(t *testing.T) {
	ctx := context.Background()
	for round := range 10 {
		p := newPool(t, 1, NoRespawn())
		dies, err := p.ApplyAsync(Task{Func: "test.exit", Args: []byte("3")}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Queued behind it, or sent to it before it died: never run.
		after, err := p.ApplyAsync(Task{Func: "test.echo"}, nil, nil)
		if err != nil && !errors.Is(err, ErrNoWorkers) {
			t.Fatalf("round %d: a task behind the dying one: %v", round, err)
		}
		var died *WorkerDiedError
		if _, err := dies.Get(ctx); !errors.As(err, &died) {
			t.Fatalf("round %d: the task that exits: %v, want a WorkerDiedError", round, err)
		}
		if after != nil {
			if _, err := after.Get(ctx); !errors.Is(err, ErrNoWorkers) {
				t.Fatalf("round %d: the task behind it: %v, want ErrNoWorkers", round, err)
			}
		}
		if _, err := p.Apply(ctx, Task{Func: "test.echo"}); !errors.Is(err, ErrNoWorkers) {
			t.Fatalf("round %d: a task once no worker is left: %v, want ErrNoWorkers", round, err)
		}
		p.Close()
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.Starts != 1 {
			t.Fatalf("round %d: %d worker starts, want the one", round, st.Starts)
		}
	}
}

// Closed at once after its task, as the process-per-task strategy uses it,
// a NoRespawn pool of one starts one process whenever its task kills it.
func TestNoRespawnProcessPerTask(t *testing.T) {
	for round := range 20 {
		p := newPool(t, 1, NoRespawn())
		a, err := p.ApplyAsync(Task{Func: "test.exit", Args: []byte("3")}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err = a.Get(ctx)
		cancel()
		if err == nil {
			t.Fatalf("round %d: the task that exits succeeded", round)
		}
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.Starts != 1 {
			t.Fatalf("round %d: %d worker starts, want the one", round, st.Starts)
		}
	}
}

// After Close, once the queue has drained, the workers take no more tasks:
// a worker that dies then hands back the tasks it had not started, and
// with no worker left to take them they fail at once, not when the last
// busy sibling exits (here, not for an hour).
func TestNoRespawnFailsWhatNoWorkerCanTake(t *testing.T) {
	p := newPool(t, 2, NoRespawn(), Prefetch(4))
	waitReady(t, p, 2)
	exitNow := filepath.Join(t.TempDir(), "exit")
	var as []*AsyncResult
	// Handed out in turn to the least loaded worker, both busy until told:
	// the first sleeps with an echo behind it, the second dies, when the
	// test says so, with one behind it.
	for _, task := range []Task{
		{Func: "test.sleep", Args: sleepArgs(time.Hour)},
		{Func: "test.exit-on", Args: []byte(exitNow)},
		{Func: "test.echo"},
		{Func: "test.echo"},
	} {
		a, err := p.ApplyAsync(task, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	p.Close()
	if err := os.WriteFile(exitNow, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var died *WorkerDiedError
	if _, err := as[1].Get(context.Background()); !errors.As(err, &died) {
		t.Fatalf("the task that exits: %v", err)
	}
	select {
	case <-as[3].Done():
		if _, err := as[3].Get(context.Background()); !errors.Is(err, ErrNoWorkers) {
			t.Fatalf("the task behind the dead worker: %v, want ErrNoWorkers", err)
		}
	case <-time.After(time.Minute): // a bound on a hang, not a timing claim
		t.Fatal("the task behind the dead worker waits for its sleeping sibling")
	}
	p.Terminate()
}
