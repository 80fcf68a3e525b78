package procpool

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func init() {
	must := func(name string, fn RawFunc) {
		if err := Register(name, fn); err != nil {
			panic(err)
		}
	}
	// Fails on "bad", panics on "panic", echoes anything else.
	must("test.mixed", func(a []byte) ([]byte, error) {
		switch string(a) {
		case "bad":
			return nil, errors.New("bad input")
		case "panic":
			panic("mixed panic")
		}
		return a, nil
	})
}

func mixedArgs(n int) [][]byte {
	args := make([][]byte, n)
	for i := range args {
		switch i % 7 {
		case 3:
			args[i] = []byte("bad")
		case 5:
			args[i] = []byte("panic")
		default:
			args[i] = []byte(strconv.Itoa(i))
		}
	}
	return args
}

// checkMixed checks each result against what test.mixed does with its arg.
func checkMixed(t *testing.T, args [][]byte, res []Result, ordered bool) {
	t.Helper()
	if len(res) != len(args) {
		t.Fatalf("%d results for %d args", len(res), len(args))
	}
	seen := map[string]int{}
	for i, r := range res {
		want := string(args[i])
		switch {
		case r.Err != nil && errors.Is(r.Err, ErrTaskPanicked):
			seen["panic"]++
			if ordered && want != "panic" {
				t.Fatalf("result %d panicked, arg %q", i, want)
			}
		case r.Err != nil && strings.Contains(r.Err.Error(), "bad input"):
			seen["bad"]++
			if ordered && want != "bad" {
				t.Fatalf("result %d failed, arg %q", i, want)
			}
		case r.Err != nil:
			t.Fatalf("result %d: %v", i, r.Err)
		default:
			seen[string(r.Value)]++
			if ordered && string(r.Value) != want {
				t.Fatalf("result %d is %q, want %q", i, r.Value, want)
			}
		}
		if r.WorkerPID == 0 || r.Finished.Before(r.Started) {
			t.Fatalf("result %d: worker %d, %v to %v", i, r.WorkerPID, r.Started, r.Finished)
		}
	}
	for _, a := range args {
		seen[string(a)]--
	}
	for k, n := range seen {
		if n != 0 {
			t.Fatalf("%q: %+d results", k, n)
		}
	}
}

func TestChunkSize(t *testing.T) {
	p := newPool(t, 2)
	args := mixedArgs(50)
	ctx := context.Background()
	for _, chunk := range []int{0, 1, 3, 64} {
		t.Run(fmt.Sprint("chunk ", chunk), func(t *testing.T) {
			res, err := p.Map(ctx, "test.mixed", args, ChunkSize(chunk))
			if err == nil || !strings.Contains(err.Error(), "bad input") {
				t.Fatalf("Map's first error: %v, want arg 3's", err)
			}
			checkMixed(t, args, res, true)
			for name, imap := range map[string]func(context.Context, string, [][]byte, ...MapOption) (iter.Seq[Result], error){
				"Imap": p.Imap, "ImapUnordered": p.ImapUnordered,
			} {
				seq, err := imap(ctx, "test.mixed", args, ChunkSize(chunk))
				if err != nil {
					t.Fatal(err)
				}
				checkMixed(t, args, slices.Collect(seq), name == "Imap")
			}
		})
	}
}

func TestMapAsync(t *testing.T) {
	p := newPool(t, 2)
	got := make(chan []Result, 1)
	failed := make(chan error, 1)
	args := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	m, err := p.MapAsync("test.echo", args, func(rs []Result) { got <- rs }, func(err error) { failed <- err }, ChunkSize(2))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := m.Get(context.Background())
	if err != nil || len(rs) != 3 || string(rs[2].Value) != "c" {
		t.Fatalf("Get: %v, %v", rs, err)
	}
	if ok, err := m.Successful(); !ok || err != nil {
		t.Fatalf("Successful: %v, %v", ok, err)
	}
	if cb := <-got; len(cb) != 3 || string(cb[0].Value) != "a" {
		t.Fatalf("callback got %v", cb)
	}
	m, err = p.MapAsync("test.mixed", mixedArgs(10), func(rs []Result) { got <- rs }, func(err error) { failed <- err })
	if err != nil {
		t.Fatal(err)
	}
	m.Wait()
	if err := <-failed; err == nil || !strings.Contains(err.Error(), "bad input") {
		t.Fatalf("error callback: %v, want the first failure (arg 3)", err)
	}
	if ok, _ := m.Successful(); ok {
		t.Fatal("a batch with failures is successful")
	}
	m, err = p.MapAsync("test.echo", nil, func(rs []Result) { got <- rs }, nil)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case rs := <-got:
		if len(rs) != 0 {
			t.Fatalf("empty batch: %v", rs)
		}
	case <-time.After(time.Minute):
		t.Fatal("no callback for an empty batch")
	}
}

func TestTaskPanicCarriesTheWorkersStack(t *testing.T) {
	p := newPool(t, 1)
	_, err := p.Apply(context.Background(), Task{Func: "test.panic"})
	var te *TaskError
	if !errors.As(err, &te) || !errors.Is(err, ErrTaskPanicked) {
		t.Fatalf("panic: %v, want a TaskError matching ErrTaskPanicked", err)
	}
	if !strings.Contains(te.Stack, "main_test.go") || !strings.Contains(fmt.Sprintf("%+v", err), te.Stack) || strings.Contains(err.Error(), te.Stack) {
		t.Fatalf("stack %q; %%+v must print it, Error must not", te.Stack)
	}
	if _, err := p.Apply(context.Background(), Task{Func: "test.error"}); errors.Is(err, ErrTaskPanicked) {
		t.Fatalf("a returned error matches ErrTaskPanicked: %v", err)
	}
}

func TestNewZeroStartsOnePerCPU(t *testing.T) {
	p := newPool(t, 0)
	if n := runtime.GOMAXPROCS(0); p.Workers() != n || len(p.PIDs()) != n {
		t.Fatalf("%d workers (%d pids), want GOMAXPROCS %d", p.Workers(), len(p.PIDs()), n)
	}
}

// A chunk that fails as a whole (here its worker dies) fails each call
// with an error naming the function the caller mapped, not the chunk's
// own task name.
func TestWholeChunkFailureNamesTheFunction(t *testing.T) {
	p := newPool(t, 1)
	res, err := p.Map(context.Background(), "test.exit", [][]byte{[]byte("3"), []byte("3")}, ChunkSize(2))
	var died *WorkerDiedError
	if !errors.As(err, &died) || died.Func != "test.exit" || len(res) != 2 {
		t.Fatalf("Map of a chunk whose worker exits: %v (%d results), want a WorkerDiedError for test.exit", err, len(res))
	}
	for i, r := range res {
		if r.Err == nil || strings.Contains(r.Err.Error(), chunkFunc) || !strings.Contains(r.Err.Error(), "test.exit") {
			t.Errorf("call %d: %v, want an error naming test.exit", i, r.Err)
		}
	}
}

// A chunk whose arguments together pass the frame limit is refused naming
// the function mapped, not the pool's own chunk function.
func TestOversizedChunkNamesTheFunction(t *testing.T) {
	p := newPool(t, 1, MaxFrame(4096))
	args := [][]byte{make([]byte, 3000), make([]byte, 3000)}
	_, err := p.Map(context.Background(), "test.echo", args, ChunkSize(2))
	if !errors.Is(err, ErrFrameTooLarge) || strings.Contains(err.Error(), chunkFunc) || !strings.Contains(err.Error(), `chunk of "test.echo"`) {
		t.Fatalf("Map of a chunk over the frame limit: %v, want ErrFrameTooLarge naming a chunk of test.echo", err)
	}
}
