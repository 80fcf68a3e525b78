package natspool

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poolbench/poolbench/procpool"
)

type point struct{ X, Y int }

// Registered once, in procpool's registry, and run by both pools below.
var (
	typedHalve = procpool.Func("natspool.test.halve", func(ctx context.Context, x int) (int, error) {
		if x%2 != 0 {
			return 0, errors.New("odd input")
		}
		return x / 2, nil
	})
	typedSwap = procpool.Func("natspool.test.swap", func(ctx context.Context, p point) (point, error) {
		return point{p.Y, p.X}, nil
	})
)

func TestTypedFunctionRunsInEitherPool(t *testing.T) {
	ctx := context.Background()
	p := newPool(t, 2)
	f, err := Submit(p, typedSwap, point{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.Get(ctx); err != nil || got != (point{2, 1}) || f.Result().WorkerPID == 0 {
		t.Fatalf("nats swap: %+v, %v (worker %d)", got, err, f.Result().WorkerPID)
	}
	local, err := procpool.New(1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		local.Terminate()
		local.Join()
	}()
	lf, err := procpool.Submit(local, typedSwap, point{3, 4})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := lf.Get(ctx); err != nil || got != (point{4, 3}) {
		t.Fatalf("local swap: %+v, %v", got, err)
	}

	for _, chunk := range []int{1, 2, 3} {
		outs, err := MapOf(ctx, p, typedHalve, []int{4, 3, 8, 5, 10}, ChunkSize(chunk))
		var te *TaskError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "odd input") || te.Worker == "" {
			t.Fatalf("chunk %d: MapOf's first failure %v, want the task's own error naming its worker", chunk, err)
		}
		if want := []int{2, 0, 4, 0, 5}; !slices.Equal(outs, want) {
			t.Fatalf("chunk %d: MapOf %v, want %v", chunk, outs, want)
		}
	}
	hf, err := Submit(p, typedHalve, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hf.Get(ctx); err == nil || !strings.Contains(err.Error(), "odd input") {
		t.Fatalf("Submit of a failing call: %v", err)
	}
	if ok, err := hf.Successful(); ok || err != nil {
		t.Fatalf("a failing call: Successful = %v, %v; want false", ok, err)
	}
	if got, err := f.GetTimeout(time.Second); err != nil || got != (point{2, 1}) {
		t.Fatalf("nats swap, again with a timeout: %+v, %v", got, err)
	}
	if ok, err := f.Successful(); !ok || err != nil {
		t.Fatalf("nats swap: Successful = %v, %v", ok, err)
	}
}

func TestChunkSizeKeepsEveryCallsOwnResult(t *testing.T) {
	p := newPool(t, 2)
	ctx := context.Background()
	args := make([][]byte, 50)
	for i := range args {
		args[i] = []byte(strconv.Itoa(i))
	}
	for _, chunk := range []int{0, 1, 7, 50, 64} {
		res, err := p.Map(ctx, "test.echo", args, ChunkSize(chunk))
		if err != nil || len(res) != len(args) {
			t.Fatalf("chunk %d: %d results, %v", chunk, len(res), err)
		}
		for i, r := range res {
			if string(r.Value) != strconv.Itoa(i) || r.WorkerPID == 0 || r.Finished.Before(r.Started) || r.Latency() <= 0 {
				t.Fatalf("chunk %d: result %d is %+v", chunk, i, r)
			}
		}
		seq, err := p.Imap(ctx, "test.echo", args, ChunkSize(chunk))
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for r := range seq {
			if string(r.Value) != strconv.Itoa(i) {
				t.Fatalf("chunk %d: Imap result %d is %q", chunk, i, r.Value)
			}
			i++
		}
		useq, err := p.ImapUnordered(ctx, "test.echo", args, ChunkSize(chunk))
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for r := range useq {
			n, _ := strconv.Atoi(string(r.Value))
			got = append(got, n)
		}
		slices.Sort(got)
		if i != len(args) || len(got) != len(args) || got[0] != 0 || got[len(got)-1] != len(args)-1 {
			t.Fatalf("chunk %d: Imap yielded %d, ImapUnordered %d of %d", chunk, i, len(got), len(args))
		}
	}
	// One failing call in a chunk fails only itself.
	res, err := p.Map(ctx, "test.panic", make([][]byte, 3), ChunkSize(3))
	var te *TaskError
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "panic: boom") || len(res) != 3 || res[2].Err == nil {
		t.Fatalf("panicking chunk: %v (%d results)", err, len(res))
	}
}

func TestMapAsyncCallsBackOnceWithEveryResult(t *testing.T) {
	p := newPool(t, 2)
	args := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	got := make(chan []Result, 1)
	m, err := p.MapAsync("test.echo", args, func(rs []Result) { got <- rs }, func(err error) { t.Errorf("onError: %v", err) }, ChunkSize(2))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := m.Get(context.Background())
	if err != nil || len(rs) != 3 || string(rs[2].Value) != "c" {
		t.Fatalf("MapAsync: %v, %v", rs, err)
	}
	if cb := <-got; len(cb) != 3 || string(cb[0].Value) != "a" {
		t.Fatalf("onSuccess got %v", cb)
	}
	if ok, err := m.Successful(); !ok || err != nil {
		t.Fatalf("Successful: %v, %v", ok, err)
	}

	failed := make(chan error, 1)
	m, err = p.MapAsync("test.error", args, func([]Result) { t.Error("onSuccess of failing calls") }, func(err error) { failed <- err })
	if err != nil {
		t.Fatal(err)
	}
	m.Wait()
	if err := <-failed; !strings.Contains(err.Error(), "bad input a") {
		t.Fatalf("onError got %v, want the first failure in argument order", err)
	}

	empty := make(chan int, 1)
	m, err = p.MapAsync("test.echo", nil, func(rs []Result) { empty <- len(rs) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := m.GetTimeout(time.Minute); err != nil || len(rs) != 0 || <-empty != 0 {
		t.Fatalf("empty MapAsync: %v, %v", rs, err)
	}
	p.Close()
	if _, err := p.MapAsync("test.echo", args, nil, nil); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("MapAsync after Close: %v, want ErrPoolClosed", err)
	}
	if _, err := p.MapAsync("test.echo", nil, nil, nil); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("empty MapAsync after Close: %v, want ErrPoolClosed", err)
	}
}

func TestMaxTasksPerChildRetiresLocalWorkers(t *testing.T) {
	p := newPool(t, 1, MaxTasksPerChild(2))
	res, err := p.Map(context.Background(), "test.pid", make([][]byte, 5))
	if err != nil {
		t.Fatal(err)
	}
	perPID := map[int]int{}
	for _, r := range res {
		pid, _ := strconv.Atoi(string(r.Value))
		if pid != r.WorkerPID || r.Deliveries != 1 {
			t.Fatalf("task ran in %d, result says %d after %d deliveries", pid, r.WorkerPID, r.Deliveries)
		}
		perPID[pid]++
	}
	for pid, n := range perPID {
		if n > 2 {
			t.Fatalf("worker %d ran %d tasks, over MaxTasksPerChild(2)", pid, n)
		}
	}
	if len(perPID) < 3 || p.Stats().Replaced < 2 {
		t.Fatalf("5 tasks ran on %d workers with %d replaced, want at least 3 and 2", len(perPID), p.Stats().Replaced)
	}
	if _, err := New(1, MaxTasksPerChild(0)); err == nil || !strings.Contains(err.Error(), "MaxTasksPerChild") {
		t.Fatalf("MaxTasksPerChild(0): %v", err)
	}
}

// A chunk that fails as a whole (here its calls' results together are over
// the server's limit, though each alone fits) fails each call with an
// error naming the function the caller mapped, not the chunk's own task
// name.
func TestWholeChunkFailureNamesTheFunction(t *testing.T) {
	p := newPool(t, 1)
	limit := int(p.nc.MaxPayload())
	args := [][]byte{sizeArg(limit / 2), sizeArg(limit / 2), sizeArg(limit / 2)}
	if _, err := p.Map(context.Background(), "test.sized", args); err != nil {
		t.Fatalf("each call alone: %v", err)
	}
	res, err := p.Map(context.Background(), "test.sized", args, ChunkSize(3))
	if err == nil || len(res) != 3 {
		t.Fatalf("Map of a chunk over the limit: %v (%d results), want it to fail", err, len(res))
	}
	for i, r := range res {
		if r.Err == nil || strings.Contains(r.Err.Error(), "procpool.chunk") || !strings.Contains(r.Err.Error(), "test.sized") {
			t.Errorf("call %d: %v, want an error naming test.sized", i, r.Err)
		}
	}
}

// A chunk whose arguments together are over the server's limit, though
// each call's fit, is refused naming the function mapped.
func TestOversizedChunkNamesTheFunction(t *testing.T) {
	p := newPool(t, 1)
	limit := int(p.nc.MaxPayload())
	args := [][]byte{make([]byte, limit/2), make([]byte, limit/2), make([]byte, limit/2)}
	_, err := p.Map(context.Background(), "test.echo", args, ChunkSize(3))
	if !errors.Is(err, ErrFrameTooLarge) || strings.Contains(err.Error(), "procpool.chunk") || !strings.Contains(err.Error(), `chunk of "test.echo"`) {
		t.Fatalf("Map of a chunk over the limit: %v, want ErrFrameTooLarge naming a chunk of test.echo", err)
	}
}

// sizeArg asks test.sized for a result of n bytes.
func sizeArg(n int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(n)) }

// As procpool's: a pool that starts a worker per task keeps a bounded list
// of starts and counts every one.
func TestSpawnListIsBounded(t *testing.T) {
	defer func(n int) { spawnSample = n }(spawnSample)
	spawnSample = 2
	p := newPool(t, 1, MaxTasksPerChild(1))
	if _, err := p.Map(context.Background(), "test.echo", make([][]byte, 5)); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Join()
	st := p.Stats()
	if len(st.Spawns) != 2 || st.Starts < 5 || st.Ready < 5 || st.Ready > st.Starts || st.StartTime <= 0 || st.StartCPU <= 0 {
		t.Fatalf("%d spawns listed, %d starts, %d ready, %v and %v of CPU in all", len(st.Spawns), st.Starts, st.Ready, st.StartTime, st.StartCPU)
	}
}
