package pyref

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
		timed, _ := sink.(TimedSink)
		for i, ok := range rd.done {
			if ok {
				continue
			}
			err := &TaskError{Kind: "hung", Message: msg}
			if timed != nil { // ended when it was given up on, within the span
				timed.TaskAt(i, nil, err, hungAt.Sub(rep.Begin), hungAt)
			} else {
				sink.Task(i, nil, err, hungAt.Sub(rep.Begin))
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
