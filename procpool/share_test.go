package procpool

import (
	"errors"
	"testing"
)

// TestShareChunkRoundTrip runs a chunk the way another pool does: ChunkTask
// in the owner, Run in the worker, ChunkResults back in the owner.
func TestShareChunkRoundTrip(t *testing.T) {
	args := [][]byte{{'a'}, {'b', 'c'}, nil}
	task, err := ChunkTask("test.echo", args)
	if err != nil {
		t.Fatal(err)
	}
	value, err := Run(task.Func, task.Args)
	if err != nil {
		t.Fatal(err)
	}
	res := ChunkResults(Result{Value: value, WorkerPID: 7}, "test.echo", len(args))
	if len(res) != len(args) {
		t.Fatalf("%d results, want %d", len(res), len(args))
	}
	for i, r := range res {
		if r.Err != nil || string(r.Value) != string(args[i]) || r.Finished.Before(r.Started) {
			t.Fatalf("call %d: %+v, want %q", i, r, args[i])
		}
	}
	lost := errors.New("worker lost")
	for _, r := range ChunkResults(Result{Err: lost}, "test.echo", 2) {
		if r.Err != lost {
			t.Fatalf("a chunk failed as a whole gave %v, want its error on every call", r.Err)
		}
	}
	if _, err := Run("procpool.test.nobody", nil); !errors.Is(err, ErrUnknownFunc) {
		t.Fatalf("Run of an unknown name: %v, want ErrUnknownFunc", err)
	}
}

func TestShareDecode(t *testing.T) {
	task, err := typedSwap.Task(point{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	value, err := Run(task.Func, task.Args)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := typedSwap.Decode(value); err != nil || got != (point{2, 1}) {
		t.Fatalf("Decode: %+v, %v", got, err)
	}
	if _, err := typedSwap.Decode([]byte("not gob")); err == nil {
		t.Fatal("Decode of garbage: no error")
	}
}
