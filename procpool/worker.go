package procpool

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/poolbench/poolbench/workloads"
)

// envWorker marks a process started by a Pool as a worker.
const envWorker = "POOLBENCH_PROCPOOL_WORKER"

// The protocol runs over file descriptors 3 and 4, not stdin and stdout, so
// that a task may print (the article's workers do) without corrupting it.
const (
	workerTaskFD   = 3
	workerResultFD = 4
)

// ServeIfWorker serves tasks and returns served=true when this process was
// started by a Pool as a worker; otherwise it returns at once. Call it first
// thing in main (or TestMain) and exit when served is true:
//
//	if served, err := procpool.ServeIfWorker(); served {
//		if err != nil { fmt.Fprintln(os.Stderr, err); os.Exit(1) }
//		os.Exit(0)
//	}
func ServeIfWorker() (served bool, err error) {
	if os.Getenv(envWorker) != "1" {
		return false, nil
	}
	// Pools started by this worker's tasks must not mistake themselves for workers.
	os.Unsetenv(envWorker)
	// Ctrl-C at a terminal reaches the whole process group; the pool's owner
	// decides what happens to its workers, so a worker does not die of it
	// mid-task. It still dies with its parent (Pdeathsig).
	signal.Ignore(syscall.SIGINT)
	in := os.NewFile(workerTaskFD, "procpool-tasks")
	out := os.NewFile(workerResultFD, "procpool-results")
	cur, err := mapCurrentTask(os.NewFile(workerCurrentFD, "procpool-current"))
	if err != nil {
		return true, fmt.Errorf("procpool: worker %d: shared task slot on fd %d: %w", os.Getpid(), workerCurrentFD, err)
	}
	return true, serve(in, out, cur.set)
}

// serve runs the worker side of the protocol: the initializer frame, the
// ready handshake, then tasks until in reaches end of file. Results are
// written in batches: a result is flushed when no further task is already
// buffered; otherwise a writer goroutine sends it while the next task runs,
// and results that pile up meanwhile go out in one write. running publishes
// the id and start of the task being run (0 between tasks).
func serve(in io.Reader, out io.Writer, running func(id uint64, start int64)) error {
	fr := newFrameReader(in, DefaultMaxFrame)
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
	var readyMsg []byte
	if init.fn != "" {
		if _, err := runTask(init.fn, init.args); err != nil {
			readyMsg = []byte("initializer " + init.fn + ": " + err.Error())
		}
	}
	buf := appendFrame(nil, kindReady, func(b []byte) []byte { return append(b, readyMsg...) })
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
		running(t.id, start.UnixNano())
		value, err := runTask(t.fn, t.args)
		running(0, 0)
		r := resultFrame{id: t.id, start: start.UnixNano(), end: time.Now().UnixNano(), payload: value}
		if err != nil {
			r.status, r.payload = statusError, []byte(err.Error())
		}
		// With no task waiting, write now: the read below would block.
		// Otherwise the writer goroutine sends it while the next task
		// runs, so a finished result never waits behind a prefetched task.
		if err := rw.add(r, fr.buffered() == 0); err != nil {
			return fmt.Errorf("procpool: worker %d: write results: %w", os.Getpid(), err)
		}
	}
}

// runTask runs a registered function, turning a panic into an error so that
// one bad task does not cost the worker (and the tasks queued behind it).
func runTask(name string, args []byte) (value []byte, err error) {
	fn, err := workloads.LookupFunc(name)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			value, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(args)
}
