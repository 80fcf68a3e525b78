package sharedlog

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/poolbench/poolbench/procsync"
)

// Job is one writer's share of a run in a process mode: what a writer
// process is told to do. It also runs in-process, several Jobs from
// goroutines, for a program that wants the same file damage without
// processes.
type Job struct {
	Mode       Mode   `json:"mode"`
	Path       string `json:"path"`                // the log file
	LockPath   string `json:"lock_path,omitempty"` // the locked mode's lock file
	Writer     int    `json:"writer"`
	Records    int    `json:"records"`
	Sizes      Sizes  `json:"sizes"`
	BufferSize int    `json:"buffer_size"`
}

// Run writes the job's records, records (Writer, 0) to (Writer, Records-1),
// to the log file. It stops early, with ctx.Err(), when ctx ends.
func (j Job) Run(ctx context.Context) error {
	flag := os.O_WRONLY | os.O_CREATE
	switch j.Mode {
	case UnlockedWhole, UnlockedSplit, Locked:
		flag |= os.O_APPEND
	case UnlockedNoAppend:
		// No O_APPEND and no O_TRUNC: each writer starts at offset 0 and
		// moves its own offset on.
	default:
		return fmt.Errorf("sharedlog: writer %d: %w: %q", j.Writer, ErrNotProcessMode, j.Mode)
	}
	if j.Sizes.Min < 0 || j.Sizes.Min > j.Sizes.Max || j.BufferSize < 1 {
		return fmt.Errorf("sharedlog: writer %d: bad sizes %d..%d or buffer %d", j.Writer, j.Sizes.Min, j.Sizes.Max, j.BufferSize)
	}
	f, err := os.OpenFile(j.Path, flag, 0o644)
	if err != nil {
		return fmt.Errorf("sharedlog: writer %d: %w", j.Writer, err)
	}
	var lock *procsync.Lock
	if j.Mode == Locked {
		if lock, err = procsync.NewLock(j.LockPath); err != nil {
			f.Close()
			return fmt.Errorf("sharedlog: writer %d: %w", j.Writer, err)
		}
		defer lock.Close()
	}
	var w io.Writer = f // one write(2) per record
	var bw *bufio.Writer
	if !j.Mode.writesWhole() {
		// A buffered writer flushes whenever its buffer fills, wherever
		// that falls in a record: the way Go's bufio splits records.
		bw = bufio.NewWriterSize(f, j.BufferSize)
		w = bw
	}
	err = j.write(ctx, w, lock)
	if bw != nil {
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("sharedlog: writer %d: flush: %w", j.Writer, ferr)
		}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("sharedlog: writer %d: close: %w", j.Writer, cerr)
	}
	return err
}

// write writes the records to w, each under lock if there is one. An
// *os.File writes a record in one write(2): regular files take it whole.
func (j Job) write(ctx context.Context, w io.Writer, lock *procsync.Lock) error {
	var buf []byte
	for seq := range j.Records {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf = AppendRecord(buf[:0], j.Writer, seq, j.Sizes.For(j.Writer, seq))
		if lock == nil {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("sharedlog: writer %d: write: %w", j.Writer, err)
			}
			continue
		}
		if err := lock.Acquire(ctx); err != nil {
			return fmt.Errorf("sharedlog: writer %d: %w", j.Writer, err)
		}
		_, err := w.Write(buf)
		if rerr := lock.Release(); err == nil && rerr != nil {
			return fmt.Errorf("sharedlog: writer %d: %w", j.Writer, rerr)
		}
		if err != nil {
			return fmt.Errorf("sharedlog: writer %d: write: %w", j.Writer, err)
		}
	}
	return nil
}
