package sharedlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/poolbench/poolbench/internal/starter"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
)

// RunProcesses runs a Go process mode, unlocked-whole, unlocked-split,
// unlocked-noappend or locked:
// it starts cfg.Writers copies of the current executable as writer
// processes (the log-writer role), each writing cfg.Records records to one log
// file, waits for them all, then checks the file.
//
// Wall time runs from the moment every writer is released to start until the
// last one has exited. Writers die with this process (Pdeathsig) and are
// killed and reaped when ctx ends or one of them fails, so an interrupted run
// leaves no process behind.
func RunProcesses(ctx context.Context, mode Mode, cfg Config) (results.LogMode, error) {
	if !mode.goProcesses() {
		return results.LogMode{}, fmt.Errorf("sharedlog: run processes: %w: %q", ErrNotProcessMode, mode)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return results.LogMode{}, err
	}
	exe, err := os.Executable()
	if err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: find own executable: %w", err)
	}
	dir, cleanup, err := cfg.prepare()
	if err != nil {
		return results.LogMode{}, err
	}
	defer cleanup()
	logPath, lockPath := paths(dir, mode)
	if err := truncate(logPath); err != nil {
		return results.LogMode{}, err
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	procs := make([]*writerProc, 0, cfg.Writers)
	// On every path out, no writer is left running or unreaped.
	defer func() {
		cancel()
		for _, p := range procs {
			p.wait()
		}
	}()
	for w := range cfg.Writers {
		job := Job{Mode: mode, Path: logPath, Writer: w, Records: cfg.Records, Sizes: cfg.Sizes, BufferSize: cfg.BufferSize}
		if mode == Locked {
			job.LockPath = lockPath
		}
		p, err := startWriter(runCtx, exe, job)
		if err != nil {
			return results.LogMode{}, err
		}
		procs = append(procs, p)
	}

	start := time.Now()
	for _, p := range procs {
		p.stdin.Close() // the start barrier
	}
	var errs []error
	for _, p := range procs {
		// Once the run is cancelled, the other writers' errors are only
		// the kill.
		if err := p.wait(); err != nil && runCtx.Err() == nil {
			errs = append(errs, err)
			cancel() // one writer failed: the run is void, stop the rest
		}
	}
	wall := time.Since(start)
	if err := ctx.Err(); err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", mode, err)
	}
	if err := errors.Join(errs...); err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", mode, err)
	}
	return measure(mode, cfg, logPath, wall)
}

// writerProc is one started writer process.
type writerProc struct {
	writer int
	cmd    *exec.Cmd
	// lease keeps the thread it was started from until it is reaped: it
	// dies with that thread (Pdeathsig).
	lease  *starter.Lease
	stdin  io.WriteCloser
	stderr *headBuffer
	done   bool
	err    error
}

func startWriter(ctx context.Context, exe string, job Job) (*writerProc, error) {
	spec, err := json.Marshal(job)
	if err != nil {
		return nil, fmt.Errorf("sharedlog: start writer %d: %w", job.Writer, err)
	}
	cmd := exec.CommandContext(ctx, exe)
	// A race-enabled build sleeps a second at exit by default, which would
	// be counted as writing time.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), procpool.RoleEnv(roleWriter, string(spec)), "GORACE="+gorace)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 2 * time.Second
	p := &writerProc{writer: job.Writer, cmd: cmd, stderr: &headBuffer{max: 4096}}
	cmd.Stderr = p.stderr
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("sharedlog: start writer %d: %w", job.Writer, err)
	}
	p.lease = starter.Acquire()
	if err := p.lease.Start(cmd); err != nil {
		p.lease.Release()
		p.stdin.Close()
		return nil, fmt.Errorf("sharedlog: start writer %d: %w", job.Writer, err)
	}
	return p, nil
}

// wait reaps the writer once and returns why it failed, if it did.
func (p *writerProc) wait() error {
	if p.done {
		return p.err
	}
	p.done = true
	p.stdin.Close()
	err := p.cmd.Wait()
	p.lease.Release()
	if err != nil {
		msg := strings.TrimSpace(p.stderr.String())
		if msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		p.err = fmt.Errorf("writer %d (pid %d): %w", p.writer, p.cmd.Process.Pid, err)
	}
	return p.err
}

// headBuffer keeps the first max bytes written to it: a writer's error
// message, bounded.
type headBuffer struct {
	max int
	buf bytes.Buffer
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *headBuffer) String() string { return b.buf.String() }
