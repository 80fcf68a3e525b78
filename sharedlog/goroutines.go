package sharedlog

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/poolbench/poolbench/results"
)

// RunGoroutines runs a goroutine mode, mutex or channel: cfg.Writers
// goroutines of this process each write cfg.Records records to one log file,
// which is then checked.
func RunGoroutines(ctx context.Context, mode Mode, cfg Config) (results.LogMode, error) {
	if !mode.InProcess() {
		return results.LogMode{}, fmt.Errorf("sharedlog: run goroutines: %w: %q", ErrNotGoroutineMode, mode)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return results.LogMode{}, err
	}
	dir, cleanup, err := cfg.prepare()
	if err != nil {
		return results.LogMode{}, err
	}
	defer cleanup()
	logPath, _ := paths(dir, mode)
	if err := truncate(logPath); err != nil {
		return results.LogMode{}, err
	}
	start := time.Now()
	if mode == Mutex {
		err = writeMutex(ctx, logPath, cfg)
	} else {
		err = writeChannel(ctx, logPath, cfg)
	}
	wall := time.Since(start)
	if err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", mode, err)
	}
	return measure(mode, cfg, logPath, wall)
}

// writeMutex shares one file between the writers under a sync.Mutex, one
// write(2) per record.
func writeMutex(ctx context.Context, path string, cfg Config) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for w := range cfg.Writers {
		g.Go(func() error {
			var buf []byte
			for seq := range cfg.Records {
				if err := gctx.Err(); err != nil {
					return err
				}
				buf = AppendRecord(buf[:0], w, seq, cfg.Sizes.For(w, seq))
				mu.Lock()
				_, err := f.Write(buf)
				mu.Unlock()
				if err != nil {
					return fmt.Errorf("writer %d: %w", w, err)
				}
			}
			return nil
		})
	}
	err = g.Wait()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeChannel has the writers send records to one goroutine that owns the
// file.
func writeChannel(ctx context.Context, path string, cfg Config) error {
	sw, err := NewSingleWriter(path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	records := make(chan []byte, cfg.Writers)
	werr := make(chan error, 1)
	go func() {
		var err error
		for rec := range records {
			if err == nil {
				if err = sw.Write(rec); err != nil {
					cancel() // stop the producers; drain what is sent
				}
			}
		}
		werr <- err
	}()
	g, gctx := errgroup.WithContext(ctx)
	for w := range cfg.Writers {
		g.Go(func() error {
			for seq := range cfg.Records {
				select {
				case records <- Record(w, seq, cfg.Sizes):
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	perr := g.Wait()
	close(records)
	err = <-werr
	if cerr := sw.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = perr
	}
	return err
}

// truncate creates path empty, or empties it.
func truncate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("sharedlog: %w", err)
	}
	return f.Close()
}

// measure checks the log file and fills the mode's result.
func measure(mode Mode, cfg Config, logPath string, wall time.Duration) (results.LogMode, error) {
	f, err := os.Open(logPath)
	if err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: %w", err)
	}
	defer f.Close()
	c, err := Check(f, cfg.Writers, cfg.Records)
	if err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: %s: %w", logPath, err)
	}
	lm := mode.Describe(cfg.Writers, cfg.BufferSize)
	lm.RecordsExpected = c.Expected
	lm.RecordsIntact = c.Intact
	lm.RecordsTorn = c.Torn
	lm.RecordsLost = c.Lost
	lm.RecordsDuplicated = c.Duplicated
	lm.WallSeconds = wall.Seconds()
	lm.FileBytes = c.Bytes
	lm.Note = mode.Note(c.Intact < c.Expected || c.Torn > 0 || c.Duplicated > 0)
	if wall > 0 {
		lm.RecordsPerSecond = float64(c.Expected) / wall.Seconds()
	}
	return lm, nil
}
