package procpool

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

type point struct{ X, Y int }

var (
	typedHalve = Func("test.typed.halve", func(ctx context.Context, x int) (int, error) {
		if x%2 != 0 {
			return 0, errors.New("odd input")
		}
		return x / 2, nil
	})
	typedSwap = Func("test.typed.swap", func(ctx context.Context, p point) (point, error) {
		return point{p.Y, p.X}, nil
	})
	typedSleep = Func("test.typed.sleep", func(ctx context.Context, d time.Duration) (int, error) {
		time.Sleep(d)
		return 1, nil
	})
)

// Every handle's GetTimeout returns a result that is in, however short the
// time (a ready handle and a fired timer must not be a coin toss), and
// ErrTimeout for one that is not; Successful says ErrNotReady before.
func TestGetTimeoutOfReadyAndPendingHandles(t *testing.T) {
	p := newPool(t, 2)
	a, err := p.ApplyAsync(Task{Func: "test.echo", Args: []byte("x")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.MapAsync("test.echo", [][]byte{[]byte("y")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Submit(p, typedSwap, point{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	a.Wait()
	m.Wait()
	f.Wait()
	for i := range 200 {
		_, aerr := a.GetTimeout(0)
		_, merr := m.GetTimeout(0)
		_, ferr := f.GetTimeout(0)
		if aerr != nil || merr != nil || ferr != nil {
			t.Fatalf("look %d at ready handles: %v, %v, %v", i, aerr, merr, ferr)
		}
	}
	slow, err := Submit(p, typedSleep, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := slow.GetTimeout(10 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Errorf("a call that sleeps an hour: GetTimeout gave %v, want ErrTimeout", err)
	}
	if ok, err := slow.Successful(); ok || !errors.Is(err, ErrNotReady) {
		t.Errorf("a call that sleeps an hour: Successful gave %v, %v; want ErrNotReady", ok, err)
	}
}

func TestTypedFunctions(t *testing.T) {
	p := newPool(t, 2)
	ctx := context.Background()
	f, err := Submit(p, typedSwap, point{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.Get(ctx); err != nil || got != (point{2, 1}) || f.Result().WorkerPID == 0 {
		t.Fatalf("swap: %+v, %v", got, err)
	}
	if got, err := f.GetTimeout(time.Second); err != nil || got != (point{2, 1}) {
		t.Fatalf("swap, again with a timeout: %+v, %v", got, err)
	}
	if ok, err := f.Successful(); !ok || err != nil {
		t.Fatalf("swap: Successful = %v, %v", ok, err)
	}
	odd, err := Submit(p, typedHalve, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odd.GetTimeout(time.Minute); err == nil {
		t.Fatal("halve 3: no error")
	}
	if ok, err := odd.Successful(); ok || err != nil {
		t.Fatalf("halve 3: Successful = %v, %v; want false", ok, err)
	}
	outs, err := MapOf(ctx, p, typedHalve, []int{4, 3, 8, 5}, ChunkSize(2))
	var te *TaskError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "odd input") {
		t.Fatalf("MapOf's first failure: %v, want the task's own error", err)
	}
	if want := []int{2, 0, 4, 0}; len(outs) != 4 || outs[0] != want[0] || outs[2] != want[2] {
		t.Fatalf("MapOf: %v, want %v", outs, want)
	}
	// An argument the function cannot decode fails its task, not the worker.
	_, err = p.Apply(ctx, Task{Func: typedHalve.Name(), Args: []byte("not gob")})
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "decode the argument") {
		t.Fatalf("undecodable argument: %v", err)
	}
}

func TestRegistry(t *testing.T) {
	tests := []struct {
		name string
		fn   RawFunc
		want string
	}{
		{"", func([]byte) ([]byte, error) { return nil, nil }, "needs a name"},
		{"test.echo", func([]byte) ([]byte, error) { return nil, nil }, "already registered"},
		{chunkFunc, func([]byte) ([]byte, error) { return nil, nil }, "the pool's own"},
		{"test.nil", nil, "needs a name and a func"},
	}
	for _, tt := range tests {
		if err := Register(tt.name, tt.fn); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Register(%q): %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := Lookup("no.such.func"); !errors.Is(err, ErrUnknownFunc) {
		t.Fatalf("Lookup of an unknown name: %v", err)
	}
}
