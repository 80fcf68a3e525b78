package pyref

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Run runs job with the interpreter at python (an Interpreter's Path) and
// hands every record to sink as it arrives. It returns once the interpreter
// and every process it started are gone, however the run ends: finished,
// hung (Report.Hung, the tasks without a result reported to sink as kind
// "hung"), or ctx ended (ctx's error).
func Run(ctx context.Context, python string, job Job, sink Sink) (Report, error) {
	var rep Report
	spec, err := job.wire()
	if err != nil {
		return rep, err
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return rep, err
	}
	script, err := scriptPath()
	if err != nil {
		return rep, err
	}
	if job.Reap {
		if err := becomeSubreaper(); err != nil {
			return rep, err
		}
	}
	recR, recW, err := os.Pipe()
	if err != nil {
		return rep, fmt.Errorf("pyref: record pipe: %w", err)
	}
	defer recR.Close()
	cmd := exec.Command(python, "-I", script)
	cmd.Stdin = bytes.NewReader(specJSON)
	cmd.Stdout, cmd.Stderr = job.Stdout, job.Stderr
	cmd.ExtraFiles = []*os.File{recW} // descriptor 3
	// Its own process group, inherited by every process it starts, so that
	// one kill reaches them all; and it dies with this process's thread.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	recW.Close()
	if err != nil {
		return rep, fmt.Errorf("pyref: start %s: %w", python, err)
	}
	g := &group{pgid: cmd.Process.Pid}
	// The stall clock runs from the interpreter's first record: its own
	// start-up, slow on a loaded machine, is not a pool waiting on a task.
	var watchdog *time.Timer
	if job.Stall > 0 {
		watchdog = time.AfterFunc(max(job.Stall, startBound), func() { g.kill(true) })
	}
	stopCtx := context.AfterFunc(ctx, func() { g.kill(false) })

	rd := reader{tasks: job.Tasks, sink: sink, done: make([]bool, job.Tasks)}
	readErr := rd.read(recR, func() {
		if watchdog != nil {
			watchdog.Reset(job.Stall)
		}
	})
	if readErr != nil {
		g.kill(false)
	}
	// Wait for the interpreter to exit but leave it a zombie: while it is
	// one, its pid (the group's id) cannot be reused, so killing the group
	// reaches only what it left behind.
	waitExit(cmd.Process.Pid)
	hung, hungAt := g.finish()
	if watchdog != nil {
		watchdog.Stop()
	}
	stopCtx()
	waitErr := cmd.Wait()
	reapGroup(g.pgid)

	rep.PID, rep.Version, rep.StartMethod = rd.begin.PID, rd.begin.Version, rd.begin.StartMethod
	rep.Begin, rep.End, rep.Hung = rd.beganAt, rd.endedAt, hung
	if rep.PID == 0 {
		rep.PID = cmd.Process.Pid
	}
	switch {
	case ctx.Err() != nil:
		return rep, ctx.Err()
	case readErr != nil:
		return rep, readErr
	case rd.failure != "":
		return rep, fmt.Errorf("pyref: %s: %s", job.Strategy, rd.failure)
	case hung:
		if rep.Begin.IsZero() {
			return rep, fmt.Errorf("pyref: %s: no word from %s for %v after it started", job.Strategy, python, max(job.Stall, startBound))
		}
		rep.End = hungAt
		msg := fmt.Sprintf("hung: no task finished for %v, so the interpreter and its processes were killed "+
			"(a CPython Pool waits forever for a task whose worker died, gh-66587)", job.Stall)
		for i, ok := range rd.done {
			if !ok {
				sink.Task(i, nil, &TaskError{Kind: "hung", Message: msg}, hungAt.Sub(rep.Begin))
			}
		}
		return rep, nil
	case !rd.ended:
		return rep, fmt.Errorf("pyref: %s: %s ended (%v) after %d of %d tasks, without finishing", job.Strategy, python, waitErr, rd.count, job.Tasks)
	}
	return rep, nil
}

// startBound is how long the interpreter may take to start and send its
// first record before it counts as stalled.
const startBound = 30 * time.Second

// group is the interpreter's process group, killed at most until finish.
type group struct {
	pgid     int
	mu       sync.Mutex
	finished bool
	hung     bool
	hungAt   time.Time
}

// kill ends every process of the group, unless the run has finished.
func (g *group) kill(stalled bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.finished {
		return
	}
	if stalled && !g.hung {
		g.hung, g.hungAt = true, time.Now()
	}
	syscall.Kill(-g.pgid, syscall.SIGKILL)
}

// finish kills whatever the interpreter left (a resource tracker, a fork
// server, a worker) and stops later kills; it says whether the run hung.
func (g *group) finish() (bool, time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	syscall.Kill(-g.pgid, syscall.SIGKILL)
	g.finished = true
	return g.hung, g.hungAt
}

// reader turns the record stream into calls on the sink.
type reader struct {
	tasks   int
	sink    Sink
	done    []bool
	count   int
	begin   record
	beganAt time.Time
	endedAt time.Time
	ended   bool
	failure string
}

// maxLine bounds one record's line: a batch of the script's 4096 tasks is
// well under it.
const maxLine = 4 << 20

// read consumes records until the stream ends (every writer has exited),
// calling progress after each.
func (rd *reader) read(r io.Reader, progress func()) error {
	br := bufio.NewReaderSize(r, 64<<10)
	timed, _ := rd.sink.(TimedSink)
	for {
		line, err := readLine(br)
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("pyref: read records: %w", err)
		}
		progress()
		rec, ts, err := decodeRecord(line, rd.tasks)
		if err != nil {
			return err
		}
		switch rec.Kind {
		case "begin":
			rd.begin, rd.beganAt = rec, time.Now()
		case "end":
			rd.ended, rd.endedAt = true, time.Now()
		case "fail":
			rd.failure = rec.Message
		case "cb":
			rd.sink.CallbackPID(rec.PID)
		case "spawn":
			rd.sink.Spawn(rec.PID, seconds(rec.Spawn))
		case "t", "tb":
			for k := range ts {
				if err := rd.task(br, &ts[k], timed); err != nil {
					return err
				}
			}
		}
	}
}

// task reads t's value, if it has one, from the stream and hands t to the
// sink.
func (rd *reader) task(br *bufio.Reader, t *task, timed TimedSink) error {
	if t.err == nil {
		t.value = make([]byte, t.length)
		if _, err := io.ReadFull(br, t.value); err != nil {
			return fmt.Errorf("pyref: task %d: read its %d-byte value: %w", t.index, t.length, err)
		}
	}
	if rd.done[t.index] {
		return fmt.Errorf("pyref: task %d reported twice", t.index)
	}
	rd.done[t.index] = true
	rd.count++
	if t.worker > 0 {
		rd.sink.WorkerPID(t.worker)
	}
	if timed == nil {
		rd.sink.Task(t.index, t.value, t.err, t.latency)
		return nil
	}
	// When the script clocked it, on this process's clock: never before
	// the run began nor after its record arrived.
	done := time.Now()
	if at := rd.beganAt.Add(t.done); t.done >= 0 && !rd.beganAt.IsZero() && at.Before(done) {
		done = at
	}
	timed.TaskAt(t.index, t.value, t.err, t.latency, done)
	return nil
}

// readLine reads one line, without its newline, of at most maxLine bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		switch {
		case err == bufio.ErrBufferFull && len(line) <= maxLine:
			continue
		case err == bufio.ErrBufferFull:
			return nil, fmt.Errorf("a record longer than %d bytes", maxLine)
		case err != nil:
			return line, err
		}
		return line[:len(line)-1], nil
	}
}
