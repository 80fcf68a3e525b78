package procpool

import (
	"context"
	"errors"
	"iter"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Submitting never blocks behind a busy worker's full pipe: ApplyAsync
// returns, and Apply returns when its context ends.
func TestSubmitDoesNotBlockOnABusyWorker(t *testing.T) {
	p := newPool(t, 2, Prefetch(4))
	waitReady(t, p, 2) // so that each takes one of the long tasks
	for range 2 {
		if _, err := p.ApplyAsync(Task{Func: "test.sleep", Args: sleepArgs(time.Hour)}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	waitRunning(t, p, 2)
	big := make([]byte, 4<<20) // far more than a pipe holds
	done := make(chan error, 1)
	go func() {
		_, err := p.ApplyAsync(Task{Func: "test.echo", Args: big}, nil, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("ApplyAsync is blocked writing to a busy worker")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	go func() {
		_, err := p.Apply(ctx, Task{Func: "test.echo", Args: big})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Apply: %v, want its context's deadline", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Apply ignored its context, blocked writing to a busy worker")
	}
}

func TestLimitsAreBounded(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
		ok   bool
	}{
		{"frame limit at 32 bits", MaxFrame(MaxFrameLimit), true},
		{"frame limit past 32 bits", MaxFrame(MaxFrameLimit + 1), false},
		{"frame limit at 4 GiB + 25", MaxFrame(4<<30 + 25), false},
		{"huge prefetch", Prefetch(math.MaxInt), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c config
			if err := tt.opt(&c); (err == nil) != tt.ok {
				t.Fatalf("error %v, want ok=%v", err, tt.ok)
			}
		})
	}
	// The longest frame the header can announce is read as that long.
	fr := newFrameReader(strings.NewReader("\xff\xff\xff\xff\x04"), MaxFrameLimit)
	if _, _, err := fr.next(); !errors.Is(err, ErrProtocol) {
		t.Fatalf("a truncated 4 GiB frame: %v, want a protocol error", err)
	}
}

// Prefetch(math.MaxInt) must not overflow into a window of no tasks.
func TestHugePrefetchStillDispatches(t *testing.T) {
	p := newPool(t, 1, Prefetch(math.MaxInt))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := p.Apply(ctx, Task{Func: "test.echo"}); err != nil {
		t.Fatal(err)
	}
}

// Transient start failures neither stop a pool with a live worker taking
// tasks nor leave it a worker short for good.
func TestStartFailuresAreRetried(t *testing.T) {
	fails := filepath.Join(t.TempDir(), "fails")
	if err := os.WriteFile(fails, []byte("0"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := newPool(t, 2, Env(envFailStarts+"="+fails))
	waitReady(t, p, 2)                      // both read the count before it changes
	os.WriteFile(fails, []byte("5"), 0o600) // the next five starts fail
	if _, err := p.Apply(context.Background(), Task{Func: "test.exit", Args: []byte("3")}); err == nil {
		t.Fatal("the dying task succeeded")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		data, _ := os.ReadFile(fails)
		if strings.TrimSpace(string(data)) == "0" {
			break
		}
		if _, err := p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil {
			t.Fatalf("with a live worker, after start failures: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("start failures left: %s", data)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for p.Stats().Ready < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no replacement after the failures: %+v", p.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil {
		t.Fatal(err)
	}
	if n := len(p.PIDs()); n != 2 {
		t.Fatalf("%d workers, want 2", n)
	}
}

// The defer pool.Terminate() idiom, without Join, leaves nothing running.
func TestTerminateWithoutJoinLeaksNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for range 5 {
		func() {
			p, err := New(1, TaskTimeout(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Terminate()
			if _, err := p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil {
				t.Fatal(err)
			}
		}()
	}
}

// Ranging again over an Imap or ImapUnordered sequence goes on where the
// last range stopped, and a finished one yields nothing.
func TestImapRangesResume(t *testing.T) {
	p := newPool(t, 2)
	args := make([][]byte, 10)
	for i := range args {
		args[i] = []byte(strconv.Itoa(i))
	}
	for name, imap := range map[string]func(context.Context, string, [][]byte, ...MapOption) (iter.Seq[Result], error){
		"Imap": p.Imap, "ImapUnordered": p.ImapUnordered,
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			seq, err := imap(ctx, "test.echo", args)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			count := func(stopAfter int) int {
				n := 0
				for r := range seq {
					seen[string(r.Value)] = true
					n++
					if n == stopAfter {
						break
					}
				}
				return n
			}
			if n := count(3); n != 3 {
				t.Fatalf("first range: %d results", n)
			}
			if n := count(-1); n != 7 {
				t.Fatalf("range after a break: %d results, want the other 7", n)
			}
			if n := count(-1); n != 0 {
				t.Fatalf("range after the end: %d results, want none", n)
			}
			if ctx.Err() != nil || len(seen) != 10 {
				t.Fatalf("%d distinct results, context %v", len(seen), ctx.Err())
			}
		})
	}
}

// A pool that starts a worker per task keeps a bounded list of starts and
// counts every one.
func TestSpawnListIsBounded(t *testing.T) {
	defer func(n int) { spawnSample = n }(spawnSample)
	spawnSample = 4
	p := newPool(t, 1, MaxTasksPerChild(1))
	if _, err := p.Map(context.Background(), "test.echo", make([][]byte, 10)); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Join()
	st := p.Stats()
	if len(st.Spawns) != 4 || st.Starts < 10 || st.Ready != st.Starts || st.StartTime <= 0 {
		t.Fatalf("%d spawns listed, %d starts, %d ready, %v in all", len(st.Spawns), st.Starts, st.Ready, st.StartTime)
	}
}

// A pool no worker can start again is broken, with an error that names the
// last worker that failed once, as the handshake's own error does.
func TestBrokenPoolErrorNamesTheWorkerOnce(t *testing.T) {
	fails := filepath.Join(t.TempDir(), "fails")
	if err := os.WriteFile(fails, []byte("0"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := newPool(t, 1, Env(envFailStarts+"="+fails))
	waitReady(t, p, 1)
	os.WriteFile(fails, []byte("1000"), 0o600) // every start from now on fails
	if _, err := p.Apply(context.Background(), Task{Func: "test.exit", Args: []byte("3")}); err == nil {
		t.Fatal("the dying task succeeded")
	}
	deadline := time.Now().Add(time.Minute)
	var err error
	for {
		if _, err = p.Apply(context.Background(), Task{Func: "test.echo"}); err != nil && strings.Contains(err.Error(), "no worker can start") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pool did not break: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if named := regexp.MustCompile(`worker \d+`).FindAllString(err.Error(), -1); len(named) != 1 {
		t.Errorf("%v: want the failed worker named once", err)
	}
	if !regexp.MustCompile(`the last: worker \d+ exited before it was ready`).MatchString(err.Error()) {
		t.Errorf("%v: want the last failure's own words", err)
	}
}
