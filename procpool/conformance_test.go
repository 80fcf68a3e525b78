package procpool

// Conformance with CPython's own Pool tests: each test below ports one
// case of _TestPool, _TestPoolWorkerErrors, _TestPoolWorkerLifetime or
// TestPoolNotLeakOnFailure (Lib/test/_test_multiprocessing.py), and is named
// after it. Cases with no Go meaning, and why:
//
//   - test_apply's keyword arguments, test_map_handle_iterable_exception,
//     test_imap_handle_iterable_exception,
//     test_imap_unordered_handle_iterable_exception: Go has no keyword
//     arguments, and the map family takes a slice, not a generator that can
//     raise part-way.
//   - test_release_task_refs: the pool copies arguments and results as
//     bytes; nothing of the caller's is kept alive by it.
//   - test_enter, test_context's with-statement, test_resource_warning: no
//     context managers or finalizer warnings in Go; defer pool.Terminate()
//     is the idiom (TestTerminateWithoutJoinLeaksNothing).
//   - test_make_pool's Pool(0): New(0) means one worker per CPU, as Pool()
//     does (TestNewZeroStartsOnePerCPU); only negative sizes are errors.
//   - test_pool_maxtasksperchild_invalid's 0.5 and "12": typed as int.
//   - test_worker_finalization_via_atexit_handler_of_multiprocessing: there
//     is no interpreter shutdown; workers die with their parent however it
//     ends (TestWorkersDieWithTheirParent).
//   - test_async's and test_async_timeout's timing assertions: timings are
//     not asserted in tests here; the results and the timeout error are.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type pair struct{ X, Y int }

var (
	confSqr = Func("conf.sqr", func(ctx context.Context, x int) (int, error) { return x * x, nil })
	confMul = Func("conf.mul", func(ctx context.Context, p pair) (int, error) { return p.X * p.Y, nil })
	// A type gob cannot encode, as CPython's unpicklable argument.
	confUnencodable = Func("conf.unencodable", func(ctx context.Context, c chan int) (int, error) { return 0, nil })
)

func init() {
	// Raw functions on decimal text, for the byte-level API.
	MustRegister("conf.int", func(a []byte) ([]byte, error) {
		n, err := strconv.Atoi(string(a))
		if err != nil {
			return nil, err
		}
		return []byte(strconv.Itoa(n)), nil
	})
	MustRegister("conf.sqr.raw", func(a []byte) ([]byte, error) {
		n, _ := strconv.Atoi(string(a))
		return []byte(strconv.Itoa(n * n)), nil
	})
	MustRegister("conf.raising", func([]byte) ([]byte, error) { return nil, errors.New("KeyError: key") })
	MustRegister("conf.large_error", func([]byte) ([]byte, error) { return nil, errors.New(strings.Repeat("x", 1<<20)) })
}

func squares(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i * i
	}
	return out
}

func ints(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func decimals(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(strconv.Itoa(i))
	}
	return out
}

func TestPool_test_apply(t *testing.T) {
	p := newPool(t, 4)
	f, err := Submit(p, confSqr, 5)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Get(context.Background()); v != 25 || err != nil {
		t.Fatalf("sqr(5) = %v, %v", v, err)
	}
}

func TestPool_test_map(t *testing.T) {
	p := newPool(t, 4)
	ctx := context.Background()
	if got, err := MapOf(ctx, p, confSqr, ints(10)); err != nil || !slices.Equal(got, squares(10)) {
		t.Fatalf("map: %v, %v", got, err)
	}
	if got, err := MapOf(ctx, p, confSqr, ints(100), ChunkSize(20)); err != nil || !slices.Equal(got, squares(100)) {
		t.Fatalf("map, chunksize 20: %v, %v", got, err)
	}
}

func TestPool_test_starmap(t *testing.T) {
	p := newPool(t, 4)
	for _, tc := range []struct{ n, chunk int }{{10, 1}, {100, 20}} {
		var in []pair
		var want []int
		for i := range tc.n {
			in = append(in, pair{i, tc.n - 1 - i})
			want = append(want, i*(tc.n-1-i))
		}
		if got, err := MapOf(context.Background(), p, confMul, in, ChunkSize(tc.chunk)); err != nil || !slices.Equal(got, want) {
			t.Fatalf("starmap of %d, chunksize %d: %v, %v", tc.n, tc.chunk, got, err)
		}
	}
}

func TestPool_test_map_async(t *testing.T) {
	p := newPool(t, 4)
	m, err := p.MapAsync("conf.sqr.raw", decimals(10), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := m.Get(context.Background())
	if err != nil || len(rs) != 10 {
		t.Fatalf("map_async: %d results, %v", len(rs), err)
	}
	for i, r := range rs {
		if string(r.Value) != strconv.Itoa(i*i) {
			t.Fatalf("result %d: %q", i, r.Value)
		}
	}
}

func TestPool_test_map_async_callbacks(t *testing.T) {
	p := newPool(t, 4)
	var calls []any // callbacks run one at a time
	appendCall := func(v any) { calls = append(calls, v) }
	m, err := p.MapAsync("conf.int", [][]byte{[]byte("1")}, func(rs []Result) { appendCall(rs) }, func(err error) { appendCall(err) })
	if err != nil {
		t.Fatal(err)
	}
	m.Wait()
	if rs, ok := calls[0].([]Result); len(calls) != 1 || !ok || string(rs[0].Value) != "1" {
		t.Fatalf("callbacks after int('1'): %v", calls)
	}
	m, err = p.MapAsync("conf.int", [][]byte{[]byte("a")}, func(rs []Result) { appendCall(rs) }, func(err error) { appendCall(err) })
	if err != nil {
		t.Fatal(err)
	}
	m.Wait()
	if err, ok := calls[1].(error); len(calls) != 2 || !ok || !strings.Contains(err.Error(), "invalid syntax") {
		t.Fatalf("callbacks after int('a'): %v", calls)
	}
}

func TestPool_test_map_unplicklable(t *testing.T) {
	p := newPool(t, 4)
	_, err := MapOf(context.Background(), p, confUnencodable, []chan int{make(chan int)})
	if err == nil || !strings.Contains(err.Error(), "encode the argument") {
		t.Fatalf("unencodable argument: %v", err)
	}
}

func TestPool_test_map_chunksize(t *testing.T) {
	p := newPool(t, 4)
	m, err := p.MapAsync("conf.sqr.raw", nil, nil, nil, ChunkSize(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.GetTimeout(time.Minute); err != nil {
		t.Fatalf("map_async with chunksize on an empty list: %v", err)
	}
}

func TestPool_test_async(t *testing.T) {
	p := newPool(t, 4)
	a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(100 * time.Millisecond)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Submit(p, confSqr, 7)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Get(context.Background()); v != 49 || err != nil {
		t.Fatalf("sqr(7) = %v, %v", v, err)
	}
	a.Wait()
}

func TestPool_test_async_timeout(t *testing.T) {
	p := newPool(t, 3)
	a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Hour)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetTimeout(100 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("get(timeout) of an hour-long task: %v", err)
	}
}

func TestPool_test_imap(t *testing.T) {
	p := newPool(t, 4)
	for _, tc := range []struct{ n, chunk int }{{10, 1}, {1000, 100}} {
		seq, err := p.Imap(context.Background(), "conf.sqr.raw", decimals(tc.n), ChunkSize(tc.chunk))
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for r := range seq {
			if string(r.Value) != strconv.Itoa(i*i) {
				t.Fatalf("imap result %d: %q", i, r.Value)
			}
			i++
		}
		if i != tc.n {
			t.Fatalf("imap yielded %d of %d", i, tc.n)
		}
	}
}

func TestPool_test_imap_unordered(t *testing.T) {
	p := newPool(t, 4)
	for _, tc := range []struct{ n, chunk int }{{10, 1}, {1000, 100}} {
		seq, err := p.ImapUnordered(context.Background(), "conf.sqr.raw", decimals(tc.n), ChunkSize(tc.chunk))
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for r := range seq {
			n, _ := strconv.Atoi(string(r.Value))
			got = append(got, n)
		}
		slices.Sort(got)
		if !slices.Equal(got, squares(tc.n)) {
			t.Fatalf("imap_unordered of %d, chunksize %d: %d results", tc.n, tc.chunk, len(got))
		}
	}
}

func TestPool_test_make_pool(t *testing.T) {
	if _, err := New(-1); err == nil {
		t.Fatal("New(-1) succeeded")
	}
	p := newPool(t, 3)
	if n := len(p.PIDs()); n != 3 {
		t.Fatalf("%d workers, want 3", n)
	}
}

func TestPool_test_terminate(t *testing.T) {
	p, err := New(3)
	if err != nil {
		t.Fatal(err)
	}
	args := make([][]byte, 10_000)
	for i := range args {
		args[i] = sleepArgs(time.Hour)
	}
	if _, err := p.MapAsync("test.sleep", args, nil, nil, ChunkSize(1)); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, p, 1) // some tasks have started
	p.Terminate()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
}

func TestPool_test_empty_iterable(t *testing.T) {
	p := newPool(t, 1)
	ctx := context.Background()
	if rs, err := p.Map(ctx, "conf.sqr.raw", nil); len(rs) != 0 || err != nil {
		t.Fatalf("map of nothing: %v, %v", rs, err)
	}
	for _, imap := range []func(context.Context, string, [][]byte, ...MapOption) (func(func(Result) bool), error){
		func(ctx context.Context, fn string, a [][]byte, o ...MapOption) (func(func(Result) bool), error) {
			s, err := p.Imap(ctx, fn, a, o...)
			return s, err
		},
		func(ctx context.Context, fn string, a [][]byte, o ...MapOption) (func(func(Result) bool), error) {
			s, err := p.ImapUnordered(ctx, fn, a, o...)
			return s, err
		},
	} {
		seq, err := imap(ctx, "conf.sqr.raw", nil)
		if err != nil {
			t.Fatal(err)
		}
		for r := range seq {
			t.Fatalf("a result from nothing: %+v", r)
		}
	}
	m, err := p.MapAsync("conf.sqr.raw", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := m.Get(ctx); len(rs) != 0 || err != nil {
		t.Fatalf("map_async of nothing: %v, %v", rs, err)
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
}

func TestPool_test_context(t *testing.T) {
	p := newPool(t, 2)
	m, err := p.MapAsync("conf.sqr.raw", decimals(10), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := m.Get(context.Background()); err != nil || string(rs[9].Value) != "81" {
		t.Fatalf("map_async: %v", err)
	}
	p.Terminate() // what leaving CPython's with-block does
	p.Join()
	if _, err := p.MapAsync("conf.sqr.raw", decimals(10), nil, nil); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("map_async after the pool ended: %v, want ErrPoolClosed", err)
	}
}

func TestPool_test_traceback(t *testing.T) {
	p := newPool(t, 1)
	_, err := p.Apply(context.Background(), Task{Func: "test.panic"})
	var te *TaskError
	if !errors.As(err, &te) || !errors.Is(err, ErrTaskPanicked) || !strings.Contains(te.Stack, "panic(") {
		t.Fatalf("panic: %v, stack %q", err, te.Stack)
	}
	if !strings.Contains(fmt.Sprintf("%+v", err), "main_test.go") {
		t.Fatalf("%%+v does not show where the task panicked: %+v", err)
	}
}

func TestPool_test_wrapped_exception(t *testing.T) {
	p := newPool(t, 1)
	_, err := p.Apply(context.Background(), Task{Func: "conf.raising"})
	var te *TaskError
	if !errors.As(err, &te) || te.Msg != "KeyError: key" || errors.Is(err, ErrTaskPanicked) {
		t.Fatalf("a returned error: %v, want it as the task's own", err)
	}
}

func TestPool_test_map_no_failfast(t *testing.T) {
	p := newPool(t, 2)
	rs, err := p.Map(context.Background(), "conf.large_error", make([][]byte, 2))
	if err == nil || len(rs) != 2 || rs[0].Err == nil || rs[1].Err == nil {
		t.Fatalf("map of two failures: %v, %d results", err, len(rs))
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
}

func TestPoolWorkerErrors_test_async_error_callback(t *testing.T) {
	p := newPool(t, 2)
	got := make(chan error, 1)
	a, err := p.ApplyAsync(Task{Func: "conf.raising"}, nil, func(r Result) { got <- r.Err })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(context.Background()); err == nil {
		t.Fatal("get succeeded")
	}
	if err := <-got; err == nil || !strings.Contains(err.Error(), "KeyError") {
		t.Fatalf("error callback got %v", err)
	}
}

func TestPoolWorkerErrors_test_unpickleable_result(t *testing.T) {
	p := newPool(t, 2, MaxFrame(64<<10))
	for i := range 20 {
		got := make(chan error, 1)
		a, err := p.ApplyAsync(Task{Func: "test.big1m"}, nil, func(r Result) { got <- r.Err })
		if err != nil {
			t.Fatal(err)
		}
		var enc *EncodingError
		if _, err := a.Get(context.Background()); !errors.As(err, &enc) {
			t.Fatalf("iteration %d: %v, want an EncodingError", i, err)
		}
		if err := <-got; !errors.As(err, &enc) {
			t.Fatalf("iteration %d: error callback got %v", i, err)
		}
	}
	if st := p.Stats(); st.Starts != 2 {
		t.Fatalf("%d worker starts for 2 workers: encoding errors cost workers", st.Starts)
	}
}

func TestPoolWorkerLifetime_test_pool_worker_lifetime(t *testing.T) {
	p := newPool(t, 3, MaxTasksPerChild(10))
	waitReady(t, p, 3)
	orig := p.PIDs()
	var fs []*Future[int]
	for i := range 100 {
		f, err := Submit(p, confSqr, i)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	for i, f := range fs {
		if v, err := f.Get(context.Background()); v != i*i || err != nil {
			t.Fatalf("sqr(%d) = %v, %v", i, v, err)
		}
	}
	// CPython repopulates the pool and waits for every worker to be alive:
	// a retired worker's replacement starts once it has exited.
	var final []int
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		p.mu.Lock()
		final = final[:0]
		for _, pr := range p.procs {
			if pr.isReady && !pr.closing {
				final = append(final, pr.pid)
			}
		}
		p.mu.Unlock()
		if len(final) == 3 || time.Now().After(deadline) {
			break
		}
	}
	if len(final) != 3 || slices.Equal(orig, final) || slices.Contains(final, 0) {
		t.Fatalf("workers %v, then %v: want 3 new ones", orig, final)
	}
}

func TestPoolWorkerLifetime_test_pool_worker_lifetime_early_close(t *testing.T) {
	p := newPool(t, 3, MaxTasksPerChild(1))
	var as []*AsyncResult
	for i := range 6 {
		a, err := p.ApplyAsync(Task{Func: "conf.sqr.raw", Args: []byte(strconv.Itoa(i))}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	for i, a := range as {
		if v, err := a.Get(context.Background()); err != nil || string(v) != strconv.Itoa(i*i) {
			t.Fatalf("task %d: %q, %v", i, v, err)
		}
	}
}

func TestPoolWorkerLifetime_test_pool_maxtasksperchild_invalid(t *testing.T) {
	for _, n := range []int{0, -1} {
		if _, err := New(3, MaxTasksPerChild(n)); err == nil {
			t.Fatalf("MaxTasksPerChild(%d) accepted", n)
		}
	}
}

// CPython's test makes a worker's start fail part-way through Pool() and
// checks that no process is left behind.
func TestPoolNotLeakOnFailure_test_release_unused_processes(t *testing.T) {
	if p, err := New(3, Env(envFailStarts+"=all")); err == nil {
		p.Terminate()
		p.Join()
		t.Fatal("New succeeded with every start failing")
	}
	if kids := childPIDs(os.Getpid()); len(kids) > 0 {
		t.Fatalf("processes left after a failed New: %v", kids)
	}
}
