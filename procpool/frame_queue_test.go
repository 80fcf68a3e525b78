package procpool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// frameSpec is one frame of a queue under test: a task (lent arguments)
// or a result (copied or referenced payload).
type frameSpec struct {
	result bool
	size   int
}

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + seed)
	}
	return b
}

// fill queues the frames and returns the bytes the copying encoder makes
// of them: what the reader must see.
func fill(q *frameQueue, frames []frameSpec) []byte {
	var want []byte
	for i, f := range frames {
		body := pattern(f.size, i)
		if f.result {
			r := resultFrame{id: uint64(i + 1), start: 5, end: 9, payload: body}
			q.result(r, false)
			want = appendResult(want, r)
		} else {
			q.task(kindTask, uint64(i+1), "fn", body)
			want = appendTask(want, kindTask, uint64(i+1), "fn", body)
		}
	}
	return want
}

// The queue's segments (copied headers and small bodies, referenced and
// lent large ones) reach the reader as the one-buffer encoding would, in
// order, whether written at once or a pipeful at a time with the rest
// taken over by a later write, and whether lent bodies are spliced or copied.
func TestFrameQueueWritesTheEncoding(t *testing.T) {
	tests := []struct {
		name   string
		frames []frameSpec
	}{
		{"small only", []frameSpec{{false, 10}, {true, 0}, {false, 100}}},
		{"large task", []frameSpec{{false, 1 << 20}}},
		{"large result", []frameSpec{{true, 300 << 10}}},
		{"mixed", []frameSpec{{false, 3}, {false, refMin}, {true, 5}, {true, 200 << 10}, {false, refMin - 1}, {false, 2 << 20}}},
	}
	for _, splice := range []bool{true, false} {
		for _, tt := range tests {
			for _, mode := range []string{"all", "now"} {
				t.Run(fmt.Sprintf("%s/%s/splice=%v", tt.name, mode, splice), func(t *testing.T) {
					noSplice.Store(!splice)
					defer noSplice.Store(false)
					r, w, err := os.Pipe()
					if err != nil {
						t.Fatal(err)
					}
					defer r.Close()
					var q frameQueue
					want := fill(&q, tt.frames)
					got := make(chan []byte, 1)
					go func() { b, _ := io.ReadAll(r); got <- b }()
					rc, err := w.SyscallConn()
					if err != nil {
						t.Fatal(err)
					}
					if mode == "all" {
						err = q.writeAll(rc)
					} else {
						// A pipeful at a time; what is left is carried over
						// as flush carries it, ahead of later frames.
						for err == nil && q.len() > 0 {
							err = q.writeNow(rc)
							var later frameQueue
							q.adopt(&later)
						}
					}
					if err != nil {
						t.Fatal(err)
					}
					if q.len() != 0 {
						t.Fatalf("%d bytes left in the queue", q.len())
					}
					w.Close()
					if b := <-got; !bytes.Equal(b, want) {
						t.Fatalf("reader got %d bytes, want %d (first difference at %d)", len(b), len(want), firstDiff(b, want))
					}
				})
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A queue reset after its write is reused without disturbing what it sent;
// to a writer that is not a file it goes one segment at a time.
func TestFrameQueueResetAndPlainWriter(t *testing.T) {
	var q frameQueue
	var sent bytes.Buffer
	frames := []frameSpec{{true, 7}, {true, 64 << 10}, {false, 1}}
	want := fill(&q, frames)
	if err := q.writeTo(&sent); err != nil {
		t.Fatal(err)
	}
	q.reset()
	want = append(want, fill(&q, frames)...)
	if err := q.writeTo(&sent); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sent.Bytes(), want) {
		t.Fatalf("got %d bytes, want %d (first difference at %d)", sent.Len(), len(want), firstDiff(sent.Bytes(), want))
	}
}

// Large tasks and results cross the pool intact with several in flight per
// worker: a worker's result that is the task's own buffer (echo) is sent
// before the next task lands in it, and the pool's copy of the arguments,
// lent to the pipe, is not the caller's buffer, which is reused at once.
// The pipes that carried them have grown, and give their growth back to
// the process's budget once the pool is joined.
func TestLargePayloadsCrossIntact(t *testing.T) {
	before := pipeGrownBytes.Load()
	p := newPool(t, 2, Prefetch(4))
	buf := make([]byte, 1<<20+123)
	var hs []*AsyncResult
	var wants [][]byte
	for i := range 12 {
		n := len(buf) - i*50_000
		copy(buf, pattern(n, i))
		a, err := p.ApplyAsync(Task{Func: "test.echo", Args: buf[:n]}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		hs, wants = append(hs, a), append(wants, pattern(n, i))
		clear(buf) // the caller's buffer is its own again
	}
	ran := map[int]bool{} // the workers that carried large frames
	for i, a := range hs {
		v, err := a.GetTimeout(time.Minute)
		ran[a.result.WorkerPID] = true
		if err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
		if !bytes.Equal(v, wants[i]) {
			t.Fatalf("task %d: %d bytes back, want %d (first difference at %d)", i, len(v), len(wants[i]), firstDiff(v, wants[i]))
		}
	}
	if runtime.GOOS == "linux" && noSplice.Load() {
		t.Error("the arguments were copied into the pipe: vmsplice was refused, so this test did not try lending them")
	}
	if pipeMax() <= pipeDefault {
		t.Skipf("pipes cannot grow here (pipe-max-size %d)", pipeMax())
	}
	p.mu.Lock()
	procs := append([]*proc(nil), p.procs...)
	p.mu.Unlock()
	for _, pr := range procs {
		if !ran[pr.pid] {
			continue // a worker that got no task keeps its small pipes
		}
		for name, f := range map[string]*os.File{"task": pr.taskW, "result": pr.resR} {
			rc, err := f.SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			var size int
			rc.Control(func(fd uintptr) { size, err = unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0) })
			if err != nil {
				t.Fatal(err)
			}
			// Best effort: past the budget or (unprivileged) the user's
			// quota, pipes stay small; root within the budget always grows.
			mustGrow := os.Geteuid() == 0 && pipeBudget()-before >= 4*int64(pipeMax()-pipeDefault)
			if size != pipeMax() && (mustGrow || size != pipeDefault) {
				t.Errorf("worker %d's %s pipe holds %d bytes, want %d (or %d past the budget)", pr.pid, name, size, pipeMax(), pipeDefault)
			}
		}
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	if after := pipeGrownBytes.Load(); after != before {
		t.Errorf("%d bytes of pipe growth outlive the pool (%d before it)", after, before)
	}
}

// A pipe whose reader is gone fails the write with EPIPE, and that says
// nothing about whether splicing works: the next pool still lends.
func TestFrameQueueBrokenPipe(t *testing.T) {
	noSplice.Store(false)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r.Close()
	var q frameQueue
	q.body(pattern(1<<20, 0), true) // lent first, so that vmsplice meets the broken pipe
	rc, err := w.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	if err := q.writeAll(rc); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write to a pipe with no reader: %v, want EPIPE", err)
	}
	if noSplice.Load() {
		t.Fatal("a broken pipe turned splicing off")
	}
}
