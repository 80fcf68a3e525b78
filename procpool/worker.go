package procpool

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The protocol runs over file descriptors 3 and 4, not stdin and stdout, so
// that a task may print (the article's workers do) without corrupting it.
const (
	workerTaskFD   = 3
	workerResultFD = 4
)

// serveWorker serves a Pool's tasks: the worker role (see ServeRole). Its
// spec is the GOMAXPROCS the pool gives it (config.workerProcs), which a
// GOMAXPROCS in its environment overrides.
func serveWorker(spec string) error {
	if spec != "" {
		n, err := strconv.Atoi(spec)
		if err != nil || n < 1 {
			return fmt.Errorf("procpool: worker %d: %s=%s:%s: %w: want a GOMAXPROCS", os.Getpid(), EnvRole, RoleWorker, spec, ErrProtocol)
		}
		// Setting it stops the world: not for the value it already has.
		if _, set := os.LookupEnv("GOMAXPROCS"); !set && n != runtime.GOMAXPROCS(0) {
			runtime.GOMAXPROCS(n)
		}
	}
	// Ctrl-C at a terminal reaches the whole process group; the pool's owner
	// decides what happens to its workers, so a worker does not die of it
	// mid-task. It still dies with its parent (Pdeathsig). A worker whose
	// output is a closed pipe (poolbench ... | head -1) gets an error from
	// the write rather than dying of SIGPIPE. Both are caught, not ignored,
	// so a task's subprocesses start with the default dispositions.
	// Catching a first signal has the runtime start a thread and wait for
	// it (a sixth of a minimal Go program's start): it runs beside the
	// reading of the init frame, and the worker says it is ready only once
	// it is done, so that a pool times the whole of a worker's start.
	caught := make(chan struct{})
	go func() {
		signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGPIPE)
		close(caught)
	}()
	// A task's subprocesses must not inherit the protocol's descriptors: a
	// result pipe held open by a grandchild would hide this worker's exit.
	// Both ends are this process's alone, so they can be non-blocking, for
	// the poller and raw calls (rawio.go).
	for _, fd := range []int{workerTaskFD, workerResultFD} {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			return fmt.Errorf("procpool: worker %d: fd %d: %w", os.Getpid(), fd, err)
		}
	}
	page := os.NewFile(workerCurrentFD, "procpool-current")
	cur, err := mapCurrentTask(page)
	if err != nil {
		return fmt.Errorf("procpool: worker %d: shared task slot on fd %d: %w", os.Getpid(), workerCurrentFD, err)
	}
	page.Close() // the mapping outlives the descriptor
	in := os.NewFile(workerTaskFD, "procpool-tasks")
	rc, err := in.SyscallConn()
	if err != nil {
		return fmt.Errorf("procpool: worker %d: task pipe: %w", os.Getpid(), err)
	}
	out := os.NewFile(workerResultFD, "procpool-results")
	return serve(polledReader{rc}, out, cur, caught)
}

// taskSlot is where a worker publishes the task it runs and the last it
// finished (the shared page, or a stand-in in tests).
type taskSlot interface {
	begin(id uint64, start int64)
	end(id uint64)
}

// sendAtOnce is how long a task runs for its result to be written as it
// ends even with another task at hand. A write and the pool's wake-up cost
// a few microseconds: at this length they are a few percent of the task,
// while a worker with one P would otherwise hold the result until the
// next task yields, up to a preemption (10 ms) later.
const sendAtOnce = 100 * time.Microsecond

// serve runs the worker side of the protocol: the init frame (the pool's
// protocol version, frame limit and initializer), the ready handshake
// (with this worker's version, or its refusal), then tasks until in
// reaches end of file; neither the initializer nor the handshake comes
// before caught is closed. A result is written as its task ends in full
// when no further task is already buffered; with one buffered, a task
// that ran sendAtOnce or longer has as much written as the pipe takes
// without waiting, and a writer goroutine sends the rest, and short
// tasks' results, while the next task runs; results that pile up
// meanwhile go out in one write.
func serve(in io.Reader, out io.Writer, slot taskSlot, caught <-chan struct{}) error {
	// The parent is trusted with the init frame's size: the limit it
	// carries applies from the next frame on.
	fr := newFrameReader(in, MaxFrameLimit)
	kind, body, err := fr.next()
	if err != nil {
		return fmt.Errorf("procpool: worker %d: read init: %w", os.Getpid(), err)
	}
	if kind != kindInit {
		return fmt.Errorf("procpool: worker %d: %w: first frame has kind %d, want init", os.Getpid(), ErrProtocol, kind)
	}
	init, err := decodeTask(body)
	if err != nil {
		return fmt.Errorf("procpool: worker %d: %w", os.Getpid(), err)
	}
	maxFrame := int(min(max(init.id&MaxFrameLimit, 64), MaxFrameLimit))
	// Ready means able to run a task: the signal catching that caught
	// waits for is part of the start the pool times, and of the CPU the
	// ready frame reports.
	<-caught
	var readyMsg []byte
	if v := init.id >> 32; v != protocolVersion {
		readyMsg = fmt.Appendf(nil, "speaks procpool protocol %d, the pool %d: build the worker and the pool from the same procpool", protocolVersion, v)
	} else if init.fn != "" {
		// An initializer may keep its arguments: give it its own copy,
		// not a view of the frame buffer the next task overwrites.
		if _, _, err := runTask(init.fn, bytes.Clone(init.args)); err != nil {
			readyMsg = []byte("initializer " + init.fn + ": " + err.Error())
		}
	}
	fr.max = maxFrame
	ready := kindReadyV
	if init.id>>32 < 2 {
		ready = kindReady // what a pool older than protocol 2 reads
	}
	buf := appendFrame(nil, ready, func(b []byte) []byte {
		if ready == kindReadyV {
			b = binary.LittleEndian.AppendUint32(b, protocolVersion)
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(selfCPU()))
		return append(b, readyMsg...)
	})
	if _, err := out.Write(buf); err != nil {
		return fmt.Errorf("procpool: worker %d: write ready: %w", os.Getpid(), err)
	}
	if readyMsg != nil {
		return fmt.Errorf("procpool: worker %d: %s", os.Getpid(), readyMsg)
	}
	rw := newResultWriter(out)
	defer rw.stop()
	for {
		kind, body, err := fr.next()
		if err == io.EOF {
			if err := rw.flush(); err != nil {
				return fmt.Errorf("procpool: worker %d: write results: %w", os.Getpid(), err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("procpool: worker %d: read task: %w", os.Getpid(), err)
		}
		if kind != kindTask {
			return fmt.Errorf("procpool: worker %d: %w: frame kind %d, want task", os.Getpid(), ErrProtocol, kind)
		}
		t, err := decodeTask(body)
		if err != nil {
			return fmt.Errorf("procpool: worker %d: %w", os.Getpid(), err)
		}
		start := time.Now()
		slot.begin(t.id, start.UnixNano())
		// t.args is valid only during the call (it is the frame buffer);
		// the package documentation says so.
		value, unknown, err := runTask(t.fn, t.args)
		r := resultFrame{id: t.id, start: start.UnixNano(), end: time.Now().UnixNano(), payload: value}
		if err != nil {
			r.status, r.payload = failStatus(err, unknown)
		}
		if len(r.payload) > maxFrame-resultOverhead {
			if r.status == statusOK {
				// Too big to send: this task fails, the worker goes on.
				r.status, r.payload = statusTooLarge, binary.LittleEndian.AppendUint64(nil, uint64(len(r.payload)))
			} else {
				r.payload = CutFailure(r.payload, maxFrame-resultOverhead, r.status == statusPanic)
			}
		}
		// With no task waiting, write now: the read below would block.
		// Otherwise, for a task that ran a while, write what the pipe
		// takes, and the writer goroutine sends the rest while the next
		// task runs: its result does not wait behind a prefetched task,
		// for a write that costs little beside the task. A short task's
		// result goes with the writer goroutine's next batch.
		// A result made over the task's arguments is in the frame
		// buffer, which only this loop writes to: it is lent to the pipe
		// rather than copied, and the buffer is not read into again
		// before the pool has taken the result (frameReader.reclaim).
		lend := r.status == statusOK && fr.inBuffer(r.payload)
		mode := sendLater
		switch {
		case fr.buffered() == 0:
			mode = sendAll
		case r.end-r.start >= int64(sendAtOnce):
			mode = sendWhatFits
		}
		end, err := rw.add(r, mode, lend)
		slot.end(t.id) // after add: the result is in this process's hands
		if err != nil {
			return fmt.Errorf("procpool: worker %d: write results: %w", os.Getpid(), err)
		}
		if end > 0 {
			fr.lend(end, rw.released)
		}
	}
}

// panicError is a task's panic, with the worker's stack at the panic.
type panicError struct{ msg, stack string }

func (e *panicError) Error() string { return "panic: " + e.msg }

// runTask runs a registered function, turning a panic into an error so that
// one bad task does not cost the worker (and the tasks queued behind it).
// unknown says there was no function of that name to run (a chunk's calls
// say so one by one, in its result).
func runTask(name string, args []byte) (value []byte, unknown bool, err error) {
	if name == chunkFunc {
		value, err = runChunk(args)
		return value, false, err
	}
	fn, err := Lookup(name)
	if err != nil {
		return nil, true, err
	}
	value, err = call(fn, args)
	return value, false, err
}

// call runs fn, turning a panic into a *panicError with the stack.
func call(fn RawFunc, args []byte) (value []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			value, err = nil, &panicError{msg: fmt.Sprint(r), stack: string(debug.Stack())}
		}
	}()
	return fn(args)
}

// selfCPU is the user and system CPU this process has used so far.
func selfCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
