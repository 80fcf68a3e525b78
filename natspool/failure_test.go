package natspool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/natspool/internal/wire"
)

func TestWorkerKilledMidTaskIsRedeliveredThenFails(t *testing.T) {
	p := newPool(t, 2, MaxDeliver(2))
	ctx := context.Background()
	// Killed the first time only: the second delivery succeeds.
	r, err := p.Apply(ctx, Task{Func: "test.sigkill-once", Args: []byte(t.TempDir())})
	if err != nil || string(r.Value) != "second time" || r.Deliveries != 2 {
		t.Fatalf("task killing its first worker: %q after %d deliveries, %v", r.Value, r.Deliveries, err)
	}
	// Killed every time: it fails after two deliveries, naming the worker.
	_, err = p.Apply(ctx, Task{Func: "test.sigkill"})
	var lost *WorkerLostError
	if !errors.As(err, &lost) || lost.Deliveries != 2 || !strings.Contains(lost.Worker, "/") || !strings.Contains(err.Error(), "signal: killed") {
		t.Fatalf("task killing every worker: %v, want a WorkerLostError after 2 deliveries naming host/pid and the signal", err)
	}
	// The pool replaced its workers and goes on.
	if r, err := p.Apply(ctx, Task{Func: "test.echo", Args: []byte("on")}); err != nil || string(r.Value) != "on" {
		t.Fatalf("after the losses: %q, %v", r.Value, err)
	}
	if got := p.Stats().Replaced; got != 3 {
		t.Errorf("%d workers replaced, want 3", got)
	}
}

func TestTaskTimeoutStopsTheWorker(t *testing.T) {
	p := newPool(t, 1, TaskTimeout(100*time.Millisecond), Heartbeat(20*time.Millisecond))
	_, err := p.Apply(context.Background(), Task{Func: "test.sleep", Args: sleepArgs(time.Minute)})
	var timeout *TimeoutError
	var lost *WorkerLostError
	if !errors.As(err, &timeout) || !errors.As(err, &lost) || lost.Deliveries != 1 {
		t.Fatalf("hung task: %v, want a timeout after one delivery", err)
	}
	if r, err := p.Apply(context.Background(), Task{Func: "test.echo", Args: []byte("x")}); err != nil || string(r.Value) != "x" {
		t.Fatalf("after the timeout: %q, %v", r.Value, err)
	}
}

// Every worker runs the initializer with the arguments New was given, the
// replacements of retired workers too, whatever the caller's slice holds
// by then.
func TestInitializerRunsInEveryWorker(t *testing.T) {
	args := []byte("set")
	p := newPool(t, 2, Initializer("test.init", args), MaxTasksPerChild(5))
	copy(args, "bad")
	res, err := p.Map(context.Background(), "test.inited", make([][]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if string(r.Value) != "set" {
			t.Fatalf("worker %s did not run the initializer with its arguments: %q", r.Worker, r.Value)
		}
	}
	if n := p.Stats().Replaced; n < 2 {
		t.Errorf("%d workers replaced, want at least 2", n)
	}
}

// drainInProcessStarted empties inProcessStarted of the signals an earlier
// test's (or run's) in-process workers left, so that the next one read is
// this test's.
func drainInProcessStarted() {
	for len(inProcessStarted) > 0 {
		<-inProcessStarted
	}
}

// inProcessWorker serves p from a goroutine over its own connection, as a
// worker on another host would; stop closes that connection abruptly.
func inProcessWorker(t *testing.T, url, poolID, id string) (stop func(), served <-chan error) {
	t.Helper()
	nc, err := nats.Connect(url, nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, nc, poolID, id) }()
	return func() { nc.Close(); cancel() }, done
}

func TestSilentRemoteWorkerLosesItsTasks(t *testing.T) {
	drainInProcessStarted()
	p := newPool(t, 0, Heartbeat(20*time.Millisecond))
	stopA, servedA := inProcessWorker(t, p.URL(), p.ID(), "a")
	a, err := p.ApplyAsync(Task{Func: "test.in-process-start", Args: sleepArgs(300 * time.Millisecond)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Once worker a runs the task, cut it off, as a host dropping off the
	// network: the task must go to worker b.
	<-inProcessStarted
	stopA()
	<-servedA
	stopB, servedB := inProcessWorker(t, p.URL(), p.ID(), "b")
	defer func() { stopB(); <-servedB }()
	_, err = a.Get(context.Background())
	res := a.Result()
	if err != nil || res.Deliveries != 2 {
		t.Fatalf("task of a silent worker: %v after %d deliveries, want success on the second", err, res.Deliveries)
	}
}

func TestWorkerExitsWhenItsOwnerDies(t *testing.T) {
	srv, err := StartServer("", false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=owner "+srv.ClientURL())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	lines := bufio.NewReader(out)
	id, err := lines.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	stop, served := inProcessWorker(t, srv.ClientURL(), strings.TrimSpace(id), "w")
	defer stop()
	// Once the worker has served the owner a task, kill the owner.
	if said, err := lines.ReadString('\n'); said != "served\n" {
		t.Fatalf("owner said %q, %v", said, err)
	}
	cmd.Process.Kill()
	select {
	case err := <-served:
		if !errors.Is(err, ErrPoolGone) {
			t.Fatalf("worker of a dead owner: %v, want ErrPoolGone", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker still serving 30s after its owner was killed")
	}
}

// Tasks queued at a worker behind one that kills it are not blamed for it,
// even though the worker's last results may have died with it unsent; and
// a closed pool still replaces a worker it loses while tasks are left.
func TestOnlyTheKillingTaskFailsAfterClose(t *testing.T) {
	p := newPool(t, 1, Prefetch(10), MaxDeliver(2))
	var as []*AsyncResult
	for i := range 11 {
		task := Task{Func: "test.echo", Args: []byte{byte(i)}}
		if i == 5 {
			task = Task{Func: "test.sigkill"}
		}
		a, err := p.ApplyAsync(task, nil, nil)
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
		r := a.Result()
		var lost *WorkerLostError
		switch {
		case i == 5 && (!errors.As(r.Err, &lost) || lost.Deliveries != 2):
			t.Errorf("the killing task: %v, want lost after 2 deliveries", r.Err)
		case i != 5 && (r.Err != nil || len(r.Value) != 1 || r.Value[0] != byte(i)):
			t.Errorf("task %d behind it: %q, %v", i, r.Value, r.Err)
		}
	}
}

// A worker lost while it held several tasks (pipelined) counts a delivery
// against each, since any may have run: a task that kills its workers runs
// at most MaxDeliver times, Deliveries says how many, and with the default
// the tasks held beside it run again, alone, and succeed.
func TestMaxDeliverBoundsRunsOfTasksHeldTogether(t *testing.T) {
	for _, max := range []int{1, 2} {
		t.Run(fmt.Sprintf("MaxDeliver%d", max), func(t *testing.T) {
			p := newPool(t, 1, Prefetch(4), MaxDeliver(max))
			dir := t.TempDir()
			var tasks []*AsyncResult
			for i := range 5 {
				task := Task{Func: "test.echo", Args: []byte("ok")}
				if i == 2 {
					task = Task{Func: "test.mark-sigkill", Args: []byte(dir)}
				}
				a, err := p.ApplyAsync(task, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				tasks = append(tasks, a)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for i, a := range tasks {
				_, err := a.Get(ctx)
				if err != nil && err == ctx.Err() {
					t.Fatalf("task %d: %v", i, err)
				}
				r := a.Result()
				if r.Deliveries > max {
					t.Errorf("task %d handed out %d times, MaxDeliver %d", i, r.Deliveries, max)
				}
				var lost *WorkerLostError
				switch {
				case i == 2 && (!errors.As(err, &lost) || r.Deliveries != max):
					t.Errorf("the task that kills its worker: %v after %d deliveries; want a WorkerLostError after %d", err, r.Deliveries, max)
				case i != 2 && max > 1 && err != nil:
					t.Errorf("task %d, held beside it: %v", i, err)
				case i != 2 && err != nil && !errors.As(err, &lost):
					t.Errorf("task %d, held beside it: %v; want its result or a WorkerLostError", i, err)
				}
			}
			runs, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != max {
				t.Errorf("the task that kills its worker ran %d times, want %d (MaxDeliver)", len(runs), max)
			}
		})
	}
}

// Serve returns nil when the pool that it serves is terminated: the pool
// told it to exit, which is no failure of the worker's.
func TestServeReturnsNilWhenItsPoolIsTerminated(t *testing.T) {
	p := newPool(t, 0)
	stop, served := inProcessWorker(t, p.URL(), p.ID(), "t")
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.Apply(ctx, Task{Func: "test.echo"}); err != nil {
		t.Fatal(err) // served: its handshake is over
	}
	p.Terminate()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve after its pool's Terminate: %v, want nil", err)
		}
	case <-ctx.Done():
		t.Fatal("Serve still running 30 s after its pool's Terminate")
	}
}

// A closed pool whose idle local workers were retired, and whose last task
// then comes back from a lost remote worker, starts a local worker for it:
// Join returns with every task done, rather than wait for a worker that
// nothing would start.
func TestClosedPoolStartsAWorkerForATaskALossBroughtBack(t *testing.T) {
	drainInProcessStarted()
	srv, _ := serverConn(t, "")
	p := newPool(t, 1, URL(srv.ClientURL()), Prefetch(0), Heartbeat(20*time.Millisecond))
	// The local worker is busy until the file exists, so that the next
	// task goes to the remote one however slow the machine.
	release := filepath.Join(t.TempDir(), "release")
	local, err := p.ApplyAsync(Task{Func: "test.wait-file", Args: []byte(release)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop, served := inProcessWorker(t, srv.ClientURL(), p.ID(), "r")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.WaitWorkers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	remote, err := p.ApplyAsync(Task{Func: "test.in-process-start", Args: sleepArgs(300 * time.Millisecond)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	<-inProcessStarted // the remote worker runs it: the local one is busy
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Get(ctx); err != nil {
		t.Fatal(err)
	}
	for p.Workers() > 1 { // the local worker, idle in a closed pool, retires
		if ctx.Err() != nil {
			t.Fatal("the idle local worker of a closed pool never left")
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop() // the remote worker drops off the network with the task
	<-served
	joined := make(chan error, 1)
	go func() { joined <- p.Join() }()
	select {
	case err := <-joined:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("Join hung: no worker was started for the task a loss brought back")
	}
	if _, err := remote.Get(ctx); err != nil || deliveries(remote) != 2 {
		t.Fatalf("the task brought back: %v after %d deliveries, want success on the second", err, deliveries(remote))
	}
}

// Workers found lost together are all given up on before any of their
// tasks is sent again, so that none goes to another of them: here two
// remote workers fall silent at once, and the task of one runs next on a
// third, on its second delivery, rather than fail after a second "loss"
// in a worker that was already gone.
func TestWorkersLostTogetherGetNoneOfEachOthersTasks(t *testing.T) {
	drainInProcessStarted()
	p := newPool(t, 0, Heartbeat(time.Hour)) // no tick: the test plays it
	stopA, servedA := inProcessWorker(t, p.URL(), p.ID(), "a")
	stopB, servedB := inProcessWorker(t, p.URL(), p.ID(), "b")
	defer func() { stopA(); stopB(); <-servedA; <-servedB }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.WaitWorkers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	a, err := p.ApplyAsync(Task{Func: "test.in-process-start", Args: sleepArgs(100 * time.Millisecond)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-inProcessStarted
	p.mu.Lock()
	p.checkWorkersLocked(time.Now().Add(24 * time.Hour)) // both silent for a day
	p.mu.Unlock()
	stopC, servedC := inProcessWorker(t, p.URL(), p.ID(), "c")
	defer func() { stopC(); <-servedC }()
	if _, err := a.Get(ctx); err != nil || deliveries(a) != 2 {
		t.Fatalf("the lost workers' task: %v after %d deliveries, want success on the second", err, deliveries(a))
	}
}

// deliveries is a's Deliveries once it is done, -1 before: a failing test
// must not wait on a task that never ends.
func deliveries(a *AsyncResult) int {
	if !a.Ready() {
		return -1
	}
	return a.Result().Deliveries
}

// A heartbeat read after the result of the task it names (they come on
// two subjects) is about a task no longer held: it neither times the task
// out nor gets its worker stopped.
func TestStaleBeatStopsNoWorker(t *testing.T) {
	p := newPool(t, 1, TaskTimeout(100*time.Millisecond), Heartbeat(20*time.Millisecond))
	a, err := p.ApplyAsync(Task{Func: "test.pid"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pid, err := a.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	index := p.live[0].index
	p.mu.Unlock()
	// The worker's beat from while it ran the task, a second into it.
	beat := wire.AppendBeatMsg(nil, wire.BeatMsg{Worker: index, Running: a.id, Ran: int64(time.Second)})
	if err := p.nc.Publish(p.prefix+".beat", beat); err != nil {
		t.Fatal(err)
	}
	p.nc.Flush()
	time.Sleep(200 * time.Millisecond) // ten ticks
	r, err := p.Apply(ctx, Task{Func: "test.pid"})
	if err != nil || string(r.Value) != string(pid) || p.Stats().Replaced != 0 {
		t.Fatalf("after a stale beat: pid %s (was %s), %v, %d replaced; want the same worker", r.Value, pid, err, p.Stats().Replaced)
	}
}

// A result lost on its way (the owner's connection was cut while it was
// sent, and core NATS keeps nothing for a subscriber that is away) leaves
// its worker idle while the owner waits: once the worker's heartbeats have
// said so for the silence a pool allows, the task is taken back and runs
// again, in the worker that lives on.
func TestLostResultIsTakenBackFromAnIdleWorker(t *testing.T) {
	p := newPool(t, 1, Heartbeat(20*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	first, err := p.Apply(ctx, Task{Func: "test.pid"})
	if err != nil {
		t.Fatal(err)
	}
	// The owner stops listening for results, as if cut off, for one task.
	var res *nats.Subscription
	for _, s := range p.subs {
		if s.Subject == p.prefix+".res" {
			res = s
		}
	}
	if err := res.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	p.nc.Flush()
	a, err := p.ApplyAsync(Task{Func: "test.echo"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Its result has gone nowhere once the worker beats that it is idle.
	for {
		p.mu.Lock()
		idle := len(p.live) == 1 && !p.live[0].idleSince.IsZero()
		p.mu.Unlock()
		if idle {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the worker never said it was idle")
		}
		time.Sleep(5 * time.Millisecond)
	}
	sub, err := p.nc.Subscribe(p.prefix+".res", p.onResult)
	if err != nil {
		t.Fatal(err)
	}
	p.subs = append(p.subs, sub)
	if _, err := a.Get(ctx); err != nil || deliveries(a) != 2 || a.Result().Worker == "" {
		t.Fatalf("the task whose result was lost: %v after %d deliveries, want success on the second", err, deliveries(a))
	}
	if r, err := p.Apply(ctx, Task{Func: "test.pid"}); err != nil || string(r.Value) != string(first.Value) {
		t.Fatalf("after it: pid %s, %v; want the same worker %s, which lived on", r.Value, err, first.Value)
	}
}

// A worker not heard from since the owner's last reconnect is sent nothing;
// the beat that says it is there sends it what waited meanwhile, though
// nothing else happens in the pool. (The reconnect is played by marking
// the worker heard from before it.)
func TestBeatAfterAReconnectSendsWhatWaited(t *testing.T) {
	p := newPool(t, 1, Heartbeat(20*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.Apply(ctx, Task{Func: "test.echo"}); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.live[0].heard = p.reconnects() + 1 // heard from on another connection
	p.mu.Unlock()
	if _, err := p.Apply(ctx, Task{Func: "test.echo"}); err != nil {
		t.Fatalf("a task submitted before the worker was heard from again: %v", err)
	}
}
