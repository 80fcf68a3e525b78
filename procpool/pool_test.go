package procpool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		opts    []Option
		want    string
	}{
		{"negative workers", -3, nil, "-3 workers"},
		{"bad maxtasks", 1, []Option{MaxTasksPerChild(0)}, "MaxTasksPerChild"},
		{"bad prefetch", 1, []Option{Prefetch(-1)}, "Prefetch"},
		{"no GOMAXPROCS", 1, []Option{WorkerGOMAXPROCS(0)}, "WorkerGOMAXPROCS"},
		{"missing binary", 1, []Option{Command("/nonexistent/poolbench")}, "no such file"},
		{"not a worker", 1, []Option{Command("/bin/true")}, "exited before it was ready"},
		{"failing initializer", 2, []Option{Initializer("test.init", []byte("fail"))}, "initializer test.init: refused"},
		{"unknown initializer", 1, []Option{Initializer("no.such.func", nil)}, "unknown function"},
		{"worker hangs at start", 1, []Option{Command("/bin/sleep", "60"), StartTimeout(200 * time.Millisecond)}, "killed before it was ready: no ready handshake within 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.workers, tt.opts...)
			if err == nil {
				p.Terminate()
				p.Join()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestApplyRunsInAWorker(t *testing.T) {
	p := newPool(t, 2)
	r, err := p.Apply(context.Background(), Task{Func: "test.pid"})
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(string(r.Value))
	if pid == os.Getpid() || pid != r.WorkerPID || !slices.Contains(p.PIDs(), pid) {
		t.Fatalf("task ran in pid %d, result says %d, workers %v, parent %d", pid, r.WorkerPID, p.PIDs(), os.Getpid())
	}
	if !r.Started.Before(r.Finished.Add(time.Nanosecond)) || r.Latency() <= 0 {
		t.Errorf("timings out of order: %+v", r)
	}
}

func TestTaskErrors(t *testing.T) {
	p := newPool(t, 1)
	tests := []struct {
		task     Task
		want     string
		panicked bool // errors.Is ErrTaskPanicked
		unknown  bool // errors.Is ErrUnknownFunc
	}{
		{Task{Func: "test.error", Args: []byte("x")}, "bad input x", false, false},
		{Task{Func: "test.panic"}, "panic: boom", true, false},
		{Task{Func: "no.such.func"}, "unknown function", false, true},
		{Task{Func: "test.runs-missing"}, `unknown function "no.such.plugin"`, false, false},
	}
	for _, tt := range tests {
		_, err := p.Apply(context.Background(), tt.task)
		var te *TaskError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) || te.PID == 0 {
			t.Errorf("%s: error %v, want a TaskError with %q and a pid", tt.task.Func, err, tt.want)
		}
		if errors.Is(err, ErrTaskPanicked) != tt.panicked || errors.Is(err, ErrUnknownFunc) != tt.unknown {
			t.Errorf("%s: errors.Is panicked %v, unknown function %v; want %v, %v", tt.task.Func,
				errors.Is(err, ErrTaskPanicked), errors.Is(err, ErrUnknownFunc), tt.panicked, tt.unknown)
		}
	}
	// A panic's value with lines in it is the whole message, not a stack.
	_, err := p.Apply(context.Background(), Task{Func: "test.panic-lines"})
	if te := (*TaskError)(nil); !errors.As(err, &te) || te.Msg != "panic: first\nsecond" || !strings.HasPrefix(te.Stack, "goroutine ") {
		t.Errorf("a panic of two lines: %#v, want its value whole and the stack apart", te)
	}
	// The same, for each call of a chunk.
	for fn, unknown := range map[string]bool{"no.such.func": true, "test.runs-missing": false} {
		res, err := p.Map(context.Background(), fn, [][]byte{nil, nil, nil}, ChunkSize(3))
		if len(res) != 3 || err == nil {
			t.Fatalf("%s in a chunk: %d results, %v", fn, len(res), err)
		}
		for i, r := range res {
			if errors.Is(r.Err, ErrUnknownFunc) != unknown {
				t.Errorf("%s, chunked call %d: %v; want ErrUnknownFunc matched %v", fn, i, r.Err, unknown)
			}
		}
	}
	// A failing task costs the worker nothing.
	if r, err := p.Apply(context.Background(), Task{Func: "test.echo", Args: []byte("ok")}); err != nil || string(r.Value) != "ok" {
		t.Fatalf("after errors: %q, %v", r.Value, err)
	}
	if n := len(p.Stats().Spawns); n != 1 {
		t.Errorf("%d spawns, want 1: an error must not replace the worker", n)
	}
}

func TestApplyAsyncCallbacksRunInParentOneAtATime(t *testing.T) {
	p := newPool(t, 4)
	var running, overlaps, calls, errs atomic.Int32
	pids := map[int]bool{}
	cb := func(r Result) {
		if running.Add(1) > 1 {
			overlaps.Add(1)
		}
		pids[os.Getpid()] = true // unsynchronised on purpose: -race checks the one-goroutine rule
		time.Sleep(200 * time.Microsecond)
		calls.Add(1)
		running.Add(-1)
	}
	var handles []*AsyncResult
	for i := range 200 {
		task := Task{Func: "test.echo", Args: []byte(strconv.Itoa(i))}
		if i%10 == 0 {
			task = Task{Func: "test.error"}
		}
		a, err := p.ApplyAsync(task, cb, func(Result) { errs.Add(1) })
		if err != nil {
			t.Fatal(err)
		}
		handles = append(handles, a)
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	if overlaps.Load() != 0 {
		t.Errorf("%d callbacks overlapped", overlaps.Load())
	}
	if calls.Load() != 180 || errs.Load() != 20 {
		t.Errorf("%d callbacks and %d error callbacks, want 180 and 20", calls.Load(), errs.Load())
	}
	if len(pids) != 1 || !pids[os.Getpid()] {
		t.Errorf("callbacks ran in pids %v, want only the parent %d", pids, os.Getpid())
	}
	for i, a := range handles {
		ok, err := a.Successful()
		if err != nil || ok != (i%10 != 0) {
			t.Fatalf("task %d: Successful() = %v, %v", i, ok, err)
		}
		if a.CallbackPID() != os.Getpid() {
			t.Fatalf("task %d: callback pid %d", i, a.CallbackPID())
		}
	}
}

func TestCallbackGetsEmptyResults(t *testing.T) {
	// Python runs the callback on every success, falsy values included.
	p := newPool(t, 1)
	got := make(chan Result, 1)
	if _, err := p.ApplyAsync(Task{Func: "test.echo"}, func(r Result) { got <- r }, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if len(r.Value) != 0 || r.Err != nil {
			t.Fatalf("got %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("callback not called for an empty result")
	}
}

func TestPanickingCallbackDoesNotStopDelivery(t *testing.T) {
	p := newPool(t, 2)
	var delivered atomic.Int32
	for i := range 20 {
		cb := func(Result) { delivered.Add(1) }
		if i == 3 {
			cb = func(Result) { panic("callback bug") }
		}
		if _, err := p.ApplyAsync(Task{Func: "test.echo"}, cb, nil); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	p.Join()
	if delivered.Load() != 19 {
		t.Fatalf("%d callbacks after the panic's neighbours, want 19", delivered.Load())
	}
	st := p.Stats()
	if st.CallbackPanics != 1 || !strings.Contains(st.CallbackErr.Error(), "callback bug") {
		t.Fatalf("stats %+v", st)
	}
}

func TestAsyncResultAPI(t *testing.T) {
	p := newPool(t, 1)
	// Not ready for as long as the test needs it not to be: it ends when
	// the pool is terminated.
	a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Hour)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Ready() {
		t.Fatal("ready at once")
	}
	if _, err := a.Successful(); !errors.Is(err, ErrNotReady) {
		t.Fatalf("Successful before done: %v", err)
	}
	if _, err := a.GetTimeout(time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("GetTimeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with a cancelled context: %v", err)
	}
	p.Terminate()
	a.Wait()
	if v, err := a.Get(context.Background()); !errors.Is(err, ErrTerminated) || v != nil {
		t.Fatalf("Get after Terminate: %v, %v", v, err)
	}
	if ok, err := a.Successful(); ok || err != nil {
		t.Fatalf("Successful after Terminate: %v, %v", ok, err)
	}
	p2 := newPool(t, 1)
	b, err := p2.ApplyAsync(Task{Func: "test.echo", Args: []byte("12345678")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Wait()
	if v, err := b.Get(context.Background()); err != nil || len(v) != 8 {
		t.Fatalf("Get: %v, %v", v, err)
	}
	if ok, err := b.Successful(); !ok || err != nil {
		t.Fatalf("Successful: %v, %v", ok, err)
	}
}

func TestMapKeepsOrder(t *testing.T) {
	p := newPool(t, 3)
	var args [][]byte
	for i := range 30 {
		// Earlier tasks sleep longer, so completion order is not argument order.
		args = append(args, sleepArgs(time.Duration(30-i)*time.Millisecond))
	}
	res, err := p.Map(context.Background(), "test.sleep", args)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if string(r.Value) != string(args[i]) {
			t.Fatalf("result %d is %v, want %v", i, r.Value, args[i])
		}
	}
	seq, err := p.Imap(context.Background(), "test.sleep", args)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for r := range seq {
		if string(r.Value) != string(args[i]) {
			t.Fatalf("Imap result %d out of order", i)
		}
		i++
	}
	useq, err := p.ImapUnordered(context.Background(), "test.sleep", args)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for r := range useq {
		got = append(got, string(r.Value))
	}
	if len(got) != 30 {
		t.Fatalf("ImapUnordered gave %d results", len(got))
	}
}

func TestMapReportsFirstError(t *testing.T) {
	p := newPool(t, 2)
	res, err := p.Map(context.Background(), "test.error", [][]byte{[]byte("a"), []byte("b")})
	if err == nil || !strings.Contains(err.Error(), "bad input a") || len(res) != 2 {
		t.Fatalf("Map: %v, %d results", err, len(res))
	}
}

func TestLifecycleRules(t *testing.T) {
	p := newPool(t, 1)
	if err := p.Join(); !errors.Is(err, ErrPoolRunning) {
		t.Fatalf("Join before Close: %v, want ErrPoolRunning", err)
	}
	p.Close()
	if _, err := p.ApplyAsync(Task{Func: "test.echo"}, nil, nil); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("submit after Close: %v", err)
	}
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	if err := p.Join(); err != nil {
		t.Fatalf("second Join: %v", err)
	}
}

func TestCloseRunsQueuedTasks(t *testing.T) {
	p := newPool(t, 2)
	var done atomic.Int32
	for range 10 {
		p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(10 * time.Millisecond)}, func(Result) { done.Add(1) }, nil)
	}
	p.Close()
	p.Join()
	if done.Load() != 10 {
		t.Fatalf("%d of 10 tasks ran after Close", done.Load())
	}
	for _, pid := range p.Stats().Spawns {
		if alive(pid.PID) {
			t.Errorf("worker %d still alive after Join", pid.PID)
		}
	}
}

// Terminate fails every task not done, running and queued alike, whether
// Join follows it or already waits in another goroutine (after Close): the
// failed tasks are handed over before anything can release that Join.
func TestTerminateFailsPendingTasks(t *testing.T) {
	for _, joinWaiting := range []bool{false, true} {
		t.Run(fmt.Sprintf("join waiting %v", joinWaiting), func(t *testing.T) {
			testTerminateFailsPendingTasks(t, joinWaiting)
		})
	}
}

func testTerminateFailsPendingTasks(t *testing.T, joinWaiting bool) {
	p := newPool(t, 2)
	var mu sync.Mutex
	var errs []error
	var handles []*AsyncResult
	for range 10 {
		// An hour: if Terminate waited for them, the test would time out.
		a, _ := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Hour)}, nil, func(r Result) {
			mu.Lock()
			errs = append(errs, r.Err)
			mu.Unlock()
		})
		handles = append(handles, a)
	}
	waitRunning(t, p, 2)
	pids := p.PIDs()
	joined := make(chan error, 1)
	if joinWaiting {
		p.Close()
		go func() { joined <- p.Join() }()
		p.Terminate()
	} else {
		p.Terminate()
		joined <- p.Join()
	}
	if err := <-joined; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) != 10 {
		t.Fatalf("%d error callbacks, want 10", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, ErrTerminated) {
			t.Fatalf("error %v, want ErrTerminated", err)
		}
	}
	for _, a := range handles {
		if !a.Ready() {
			t.Fatal("a handle is not ready after Terminate and Join")
		}
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("worker %d alive after Terminate", pid)
		}
	}
}
