package sharedlog

import (
	"bufio"
	"context"
	"fmt"
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
	case Unlocked, Locked:
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
	// A buffered writer flushes whenever its buffer fills, wherever that
	// falls in a record: the way ordinary loggers split records.
	bw := bufio.NewWriterSize(f, j.BufferSize)
	err = j.write(ctx, bw, lock)
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("sharedlog: writer %d: flush: %w", j.Writer, ferr)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("sharedlog: writer %d: close: %w", j.Writer, cerr)
	}
	return err
}

func (j Job) write(ctx context.Context, bw *bufio.Writer, lock *procsync.Lock) error {
	var buf []byte
	for seq := range j.Records {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf = AppendRecord(buf[:0], j.Writer, seq, j.Sizes.For(j.Writer, seq))
		if lock == nil {
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("sharedlog: writer %d: write: %w", j.Writer, err)
			}
			continue
		}
		if err := lock.Acquire(ctx); err != nil {
			return fmt.Errorf("sharedlog: writer %d: %w", j.Writer, err)
		}
		_, err := bw.Write(buf)
		if err == nil {
			err = bw.Flush()
		}
		if rerr := lock.Release(); err == nil && rerr != nil {
			return fmt.Errorf("sharedlog: writer %d: %w", j.Writer, rerr)
		}
		if err != nil {
			return fmt.Errorf("sharedlog: writer %d: write: %w", j.Writer, err)
		}
	}
	return nil
}
