package natspool

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poolbench/poolbench/natspool/internal/wire"
	"github.com/poolbench/poolbench/procpool"
)

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		opts    []Option
		want    string
	}{
		{"negative workers", -1, nil, "-1 workers"},
		{"bad prefetch", 1, []Option{Prefetch(-1)}, "Prefetch"},
		{"bad max deliver", 1, []Option{MaxDeliver(0)}, "MaxDeliver"},
		{"bad heartbeat", 1, []Option{Heartbeat(0)}, "Heartbeat"},
		{"bad listen", 1, []Option{Listen("nohost")}, "Listen"},
		{"url and listen", 1, []Option{URL("nats://127.0.0.1:1"), Listen("127.0.0.1:0")}, "exclude"},
		{"no server there", 1, []Option{URL("nats://127.0.0.1:1")}, "connect"},
		{"missing binary", 1, []Option{Command("/nonexistent/poolbench")}, "no such file"},
		{"not a worker", 1, []Option{Command("/bin/true")}, "before it was ready"},
		{"failing initializer", 2, []Option{Initializer("test.init", []byte("fail"))}, "initializer test.init: refused"},
		{"worker hangs at start", 1, []Option{Command("/bin/sleep", "60"), StartTimeout(200 * time.Millisecond), Heartbeat(20 * time.Millisecond)}, "before it was ready"},
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
	if !p.Embedded() || !strings.HasPrefix(p.URL(), "nats://127.0.0.1:") {
		t.Fatalf("embedded %v at %q, want a loopback server of its own", p.Embedded(), p.URL())
	}
	r, err := p.Apply(context.Background(), Task{Func: "test.pid"})
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(string(r.Value))
	host, _ := os.Hostname()
	if pid == os.Getpid() || pid != r.WorkerPID || !slices.Contains(p.PIDs(), pid) {
		t.Fatalf("task ran in pid %d, result says %d, workers %v, owner %d", pid, r.WorkerPID, p.PIDs(), os.Getpid())
	}
	if r.Host != host || r.Worker != host+"/"+strconv.Itoa(pid) || r.Deliveries != 1 {
		t.Errorf("result names worker %q on %q after %d deliveries, want %s/%d once", r.Worker, r.Host, r.Deliveries, host, pid)
	}
	if r.Latency() <= 0 || r.Finished.Before(r.Started) {
		t.Errorf("timings out of order: %+v", r)
	}
	if hs := p.Stats().Hosts[host]; hs.Tasks != 1 || hs.Workers < 1 || hs.CPUs != runtime.NumCPU() {
		t.Errorf("host stats %+v, want 1 task, a worker and %d CPUs", hs, runtime.NumCPU())
	}
}

// A result too large for the server's messages fails its own task with an
// EncodingError that errors.Is ErrFrameTooLarge, as procpool's over its
// frame limit, and the worker goes on serving.
func TestOversizedResultIsAnEncodingError(t *testing.T) {
	p := newPool(t, 1)
	r, err := p.Apply(context.Background(), Task{Func: "test.pid"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, err := p.Apply(context.Background(), Task{Func: "test.big"})
		var enc *EncodingError
		if !errors.As(err, &enc) || !errors.Is(err, ErrFrameTooLarge) || !errors.Is(err, procpool.ErrFrameTooLarge) {
			t.Fatalf("a 2 MiB result: %v, want an EncodingError wrapping ErrFrameTooLarge", err)
		}
		if enc.Func != "test.big" || enc.Size != 2<<20 || enc.Limit <= 0 || enc.Limit >= 2<<20 || enc.Worker == "" {
			t.Fatalf("EncodingError %+v: want test.big's 2 MiB, a limit under it, and the worker", enc)
		}
	}
	again, err := p.Apply(context.Background(), Task{Func: "test.pid"})
	if err != nil || string(again.Value) != string(r.Value) {
		t.Fatalf("after oversized results: worker %s, %v; want the same worker, %s, still serving", again.Value, err, r.Value)
	}
	if st := p.Stats(); st.Starts != 1 {
		t.Fatalf("%d worker starts: an oversized result cost a worker", st.Starts)
	}
}

func TestTaskErrors(t *testing.T) {
	p := newPool(t, 1)
	tests := []struct {
		task Task
		want string
	}{
		{Task{Func: "test.error", Args: []byte("x")}, "bad input x"},
		{Task{Func: "test.panic"}, "panic: boom"},
		{Task{Func: "no.such.func"}, "unknown function"},
		{Task{Func: "test.runs-missing"}, `unknown function "no.such.plugin"`},
	}
	for _, tt := range tests {
		_, err := p.Apply(context.Background(), tt.task)
		var te *TaskError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) || te.Worker == "" {
			t.Errorf("%s: error %v, want a TaskError with %q and a worker", tt.task.Func, err, tt.want)
		}
		if unknown := tt.task.Func == "no.such.func"; errors.Is(err, procpool.ErrUnknownFunc) != unknown {
			t.Errorf("%s: errors.Is(err, procpool.ErrUnknownFunc) = %v, want %v", tt.task.Func, !unknown, unknown)
		}
		// A panic carries the worker's stack, as procpool's does.
		if panicked := tt.task.Func == "test.panic"; errors.Is(err, procpool.ErrTaskPanicked) != panicked ||
			panicked && (!strings.Contains(te.Stack, "main_test.go") || !strings.Contains(fmt.Sprintf("%+v", err), te.Stack) || strings.Contains(err.Error(), te.Stack)) {
			t.Errorf("%s: errors.Is(err, procpool.ErrTaskPanicked) = %v, stack %q; want a panic's stack only for test.panic, under %%+v", tt.task.Func, !panicked, te.Stack)
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
			if errors.Is(r.Err, procpool.ErrUnknownFunc) != unknown {
				t.Errorf("%s, chunked call %d: %v; want procpool.ErrUnknownFunc matched %v", fn, i, r.Err, unknown)
			}
		}
	}
	if _, err := p.Apply(context.Background(), Task{Func: "test.echo", Args: make([]byte, 2<<20)}); !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("oversized task: error %v, want ErrFrameTooLarge", err)
	}
	// A failing task costs the worker nothing.
	if r, err := p.Apply(context.Background(), Task{Func: "test.echo", Args: []byte("ok")}); err != nil || string(r.Value) != "ok" {
		t.Errorf("after the errors: %q, %v", r.Value, err)
	}
	if got := p.Stats().Replaced; got != 0 {
		t.Errorf("%d workers replaced after task errors, want 0", got)
	}
}

func TestMapKeepsOrderAndImapsYieldAll(t *testing.T) {
	p := newPool(t, 3)
	ctx := context.Background()
	args := make([][]byte, 200)
	for i := range args {
		args[i] = []byte(strconv.Itoa(i))
	}
	res, err := p.Map(ctx, "test.echo", args)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if string(r.Value) != strconv.Itoa(i) {
			t.Fatalf("Map result %d is %q", i, r.Value)
		}
	}
	seq, err := p.Imap(ctx, "test.echo", args)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for r := range seq {
		if string(r.Value) != strconv.Itoa(i) {
			t.Fatalf("Imap result %d is %q", i, r.Value)
		}
		i++
	}
	useq, err := p.ImapUnordered(ctx, "test.echo", args)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for r := range useq {
		seen[string(r.Value)] = true
	}
	if i != len(args) || len(seen) != len(args) {
		t.Fatalf("Imap yielded %d, ImapUnordered %d distinct, want %d", i, len(seen), len(args))
	}
}

func TestCallbacksRunOneAtATimeAndSurvivePanics(t *testing.T) {
	p := newPool(t, 2)
	var running, overlap, calls atomic.Int32
	cb := func(r Result) {
		if running.Add(1) > 1 {
			overlap.Add(1)
		}
		defer running.Add(-1)
		if calls.Add(1)%10 == 0 {
			panic("callback boom")
		}
	}
	var as []*AsyncResult
	for i := range 100 {
		a, err := p.ApplyAsync(Task{Func: "test.echo", Args: []byte{byte(i)}}, cb, cb)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if !a.Ready() || a.CallbackPID() != os.Getpid() {
			t.Fatalf("task not ready or callback in pid %d after Join", a.CallbackPID())
		}
	}
	st := p.Stats()
	if calls.Load() != 100 || overlap.Load() != 0 || st.CallbackPanics != 10 || !strings.Contains(st.CallbackErr.Error(), "callback boom") {
		t.Fatalf("%d calls, %d overlaps, %d panics (%v)", calls.Load(), overlap.Load(), st.CallbackPanics, st.CallbackErr)
	}
}

func TestLifecycleErrors(t *testing.T) {
	p := newPool(t, 1)
	if err := p.Join(); !errors.Is(err, ErrPoolRunning) {
		t.Fatalf("Join before Close: %v", err)
	}
	a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(50 * time.Millisecond)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := p.ApplyAsync(Task{Func: "test.echo"}, nil, nil); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("submit after Close: %v", err)
	}
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(context.Background()); err != nil {
		t.Fatalf("task submitted before Close: %v", err)
	}
	if ok, err := a.Successful(); !ok || err != nil {
		t.Fatalf("Successful: %v, %v", ok, err)
	}
}

func TestTerminateFailsPendingAndReapsWorkers(t *testing.T) {
	p := newPool(t, 2)
	var mu sync.Mutex
	var errs []error
	onErr := func(r Result) { mu.Lock(); errs = append(errs, r.Err); mu.Unlock() }
	var as []*AsyncResult
	for range 6 {
		a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Minute)}, nil, onErr)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	pids := p.PIDs()
	p.Terminate()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if _, err := a.Get(context.Background()); !errors.Is(err, ErrTerminated) {
			t.Fatalf("pending task after Terminate: %v", err)
		}
	}
	if len(errs) != 6 {
		t.Fatalf("%d error callbacks, want 6", len(errs))
	}
	if kids := childPIDs(os.Getpid()); len(kids) > 0 {
		t.Fatalf("workers %v still children after Join (were %v)", kids, pids)
	}
}

// Workers still starting when Close is called take their share of the
// queued tasks, as in Python, where close only stops submissions.
func TestWorkersJoiningAfterCloseStillServe(t *testing.T) {
	p := newPool(t, 4)
	var as []*AsyncResult
	for range 8 {
		a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(200 * time.Millisecond)}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	pids := map[int]bool{}
	for _, a := range as {
		r := a.Result()
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		pids[r.WorkerPID] = true
	}
	if len(pids) < 2 {
		t.Fatalf("8 tasks of 200ms ran on %d worker(s) of 4", len(pids))
	}
}

// With URL the pool starts no server: its local workers reach the one given.
func TestExternalServer(t *testing.T) {
	srv, err := StartServer("", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown) // after the pool's own cleanup
	p := newPool(t, 2, URL(srv.ClientURL()))
	if p.Embedded() || p.ServerStart() != 0 || p.URL() != srv.ClientURL() {
		t.Fatalf("embedded %v (start %v) at %q, want the external %q", p.Embedded(), p.ServerStart(), p.URL(), srv.ClientURL())
	}
	res, err := p.Map(context.Background(), "test.pid", make([][]byte, 10))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if pid, _ := strconv.Atoi(string(r.Value)); pid != r.WorkerPID || pid == os.Getpid() {
			t.Fatalf("task ran in %q, result says pid %d", r.Value, r.WorkerPID)
		}
	}
}

// An external server that goes away under a running pool for longer than
// ServerGrace fails its tasks: no hang, and Join returns.
func TestExternalServerGoneFailsTasks(t *testing.T) {
	srv, err := StartServer("", false)
	if err != nil {
		t.Fatal(err)
	}
	p := newPool(t, 2, URL(srv.ClientURL()), WorkerOutput(io.Discard, io.Discard), ServerGrace(300*time.Millisecond))
	var as []*AsyncResult
	for range 6 {
		a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Minute)}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	srv.Shutdown()
	for _, a := range as {
		if _, err := a.Get(context.Background()); !errors.Is(err, ErrServerLost) || !strings.Contains(err.Error(), srv.ClientURL()) {
			t.Fatalf("task after the server went: %v, want ErrServerLost naming it", err)
		}
	}
	if _, err := p.ApplyAsync(Task{Func: "test.echo"}, nil, nil); !errors.Is(err, ErrServerLost) {
		t.Fatalf("submission after the server was lost: %v, want ErrServerLost", err)
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
}

// As procpool's: a process started to play a role that did not play it is
// refused a pool, before a server or worker starts.
func TestNewRefusesInAnUnservedRole(t *testing.T) {
	// A local worker's role, with its spec: the server and pool to serve.
	t.Setenv(procpool.EnvRole, "nats-worker:{\"url\":\"nats://u:secret@127.0.0.1:4222\"}")
	p, err := New(1)
	if p != nil {
		p.Terminate()
		p.Join()
	}
	if !errors.Is(err, procpool.ErrRoleNotServed) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("New in a worker's environment = %v; want ErrRoleNotServed, without the spec", err)
	}
}

// A worker of another build (its hello says another protocol, or none, as
// those from before there was one) is refused, saying why, and counted
// only as refused; the pool's own answer says its protocol.
func TestPoolRefusesAWorkerOfAnotherProtocol(t *testing.T) {
	p := newPool(t, 1)
	for _, v := range []int{0, wire.Protocol + 1} {
		b, _ := json.Marshal(wire.Hello{ID: "stranger", Host: "elsewhere", CPUs: 1, PID: 1, Protocol: v})
		m, err := p.nc.Request(p.prefix+".hello", b, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var wel wire.Welcome
		if err := wire.DecodeJSON(m.Data, &wel); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("the worker speaks natspool protocol %d, the pool %d", v, wire.Protocol)
		if !strings.Contains(wel.Refused, want) || wel.Protocol != wire.Protocol {
			t.Errorf("hello of protocol %d: welcome %+v; want refused with %q", v, wel, want)
		}
	}
	st := p.Stats()
	if hs, ok := st.Hosts["elsewhere"]; ok {
		t.Errorf("a refused worker's host is counted: %+v", hs)
	}
	if st.Refused != 2 || st.RefusedErr == nil || !strings.Contains(st.RefusedErr.Error(), "natspool: worker elsewhere/1 refused: the worker speaks natspool protocol 0") {
		t.Errorf("Stats: Refused %d, RefusedErr %v; want 2, naming elsewhere/1 and its protocol", st.Refused, st.RefusedErr)
	}
}

// A result the owner cannot read, for a task in flight (here one of a
// status no version has), fails that task with ErrProtocol, rather than
// leave it waiting for a result that will never read better, and the
// worker said to have sent it is given up on: a fresh one serves on.
func TestUnreadableResultFailsItsTask(t *testing.T) {
	p := newPool(t, 1)
	a, err := p.ApplyAsync(Task{Func: "test.sleep", Args: binary.LittleEndian.AppendUint64(nil, uint64(time.Hour))}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var worker, id uint64
	for deadline := time.Now().Add(30 * time.Second); worker == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the task never went to a worker")
		}
		p.mu.Lock()
		for _, w := range p.live {
			if len(w.inflight) > 0 {
				worker, id = w.index, w.inflight[0].id
			}
		}
		p.mu.Unlock()
	}
	if err := p.nc.Publish(p.prefix+".res", wire.AppendResultMsg(nil, wire.ResultMsg{Worker: worker, ID: id, Status: 200})); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := a.Get(ctx); !errors.Is(err, procpool.ErrProtocol) {
		t.Fatalf("task whose result was unreadable: %v, want procpool.ErrProtocol", err)
	}
	// Its worker, still asleep in the task, was killed and replaced: the
	// next task runs at once, in another process.
	r, err := p.Apply(ctx, Task{Func: "test.echo"})
	if err != nil {
		t.Fatalf("the next task: %v", err)
	}
	if r.WorkerPID == a.Result().WorkerPID {
		t.Errorf("the next task ran in worker %d, which sent the unreadable result", r.WorkerPID)
	}
	if n := p.Stats().Replaced; n != 1 {
		t.Errorf("Stats().Replaced = %d, want 1", n)
	}
}

// As procpool's: ranging again over an Imap or ImapUnordered sequence goes
// on where the last range stopped, in the middle of a chunk too, and a
// finished one yields nothing.
func TestImapRangesResume(t *testing.T) {
	p := newPool(t, 2)
	args := make([][]byte, 10)
	for i := range args {
		args[i] = []byte(strconv.Itoa(i))
	}
	for _, chunk := range []int{1, 3} {
		for name, imap := range map[string]func(context.Context, string, [][]byte, ...MapOption) (iter.Seq[Result], error){
			"Imap": p.Imap, "ImapUnordered": p.ImapUnordered,
		} {
			t.Run(fmt.Sprintf("%s/chunk%d", name, chunk), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				seq, err := imap(ctx, "test.echo", args, ChunkSize(chunk))
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				count := func(stopAfter int) int {
					n := 0
					for r := range seq {
						got = append(got, string(r.Value))
						n++
						if n == stopAfter {
							break
						}
					}
					return n
				}
				if n := count(2); n != 2 {
					t.Fatalf("first range: %d results", n)
				}
				if n := count(-1); n != 8 {
					t.Fatalf("range after a break: %d results, want the other 8", n)
				}
				if n := count(-1); n != 0 {
					t.Fatalf("range after the end: %d results, want none", n)
				}
				slices.SortFunc(got, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
				if ctx.Err() != nil || !slices.Equal(got, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
					t.Fatalf("results %v, context %v", got, ctx.Err())
				}
			})
		}
	}
}
