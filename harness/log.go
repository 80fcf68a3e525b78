package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/sharedlog"
)

// LogConfig is the plan of the shared-log experiment.
type LogConfig struct {
	sharedlog.Config
	Modes []sharedlog.Mode
	// RecordSize is --record-size as given, for the record.
	RecordSize string
	// Dir is the run's folder. The log files go into a hidden folder in it,
	// each removed once checked, or into Dir/logs, kept, if KeepLogs.
	Dir      string
	KeepLogs bool
	Journal  *Journal
}

// Log runs each mode in turn. If ctx ends or a mode fails, it returns what
// the modes before it measured, marked partial, with the error (no run if a
// mode failed before any finished and ctx did not end: there is nothing to
// keep, and nothing was interrupted).
func Log(ctx context.Context, cfg LogConfig, progress func(Progress)) (*results.Run, error) {
	logs, cleanup, err := logFolder(cfg.Dir, cfg.KeepLogs)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	lcfg := cfg.Config
	lcfg.Dir = logs
	names := make([]string, len(cfg.Modes))
	for i, m := range cfg.Modes {
		names[i] = string(m)
	}
	run := NewRun("log", results.Config{
		Workloads:     []string{"log"},
		Strategies:    names,
		LogWriters:    lcfg.Writers,
		LogRecords:    lcfg.Records,
		LogRecordSize: cfg.RecordSize,
		Repeat:        1,
	})
	run.Notes = []string{fmt.Sprintf("each mode: %d writers append %d records each, with payloads of %s bytes, to one file, which is then checked record by record",
		lcfg.Writers, lcfg.Records, SizeText(lcfg.Sizes))}
	cfg.Journal.Begin(run)
	var runErr error
	var skipped []string
	for i, mode := range cfg.Modes {
		if progress != nil {
			progress(Progress{Trial: i + 1, Trials: len(cfg.Modes), Strategy: string(mode), Workload: "log", Workers: lcfg.Writers})
		}
		lm, err := sharedlog.Run(ctx, mode, lcfg)
		if errors.Is(err, sharedlog.ErrNoPython) {
			skipped = append(skipped, string(mode))
			continue
		}
		if !cfg.KeepLogs {
			for _, name := range []string{string(mode) + ".log", string(mode) + ".lock"} {
				os.Remove(filepath.Join(logs, name))
			}
		}
		if err != nil {
			runErr = fmt.Errorf("log: mode %s: %w", mode, err)
			break
		}
		run.Logging = append(run.Logging, lm)
		cfg.Journal.LogMode(lm)
	}
	run.FinishedAt = time.Now().UTC()
	if len(skipped) > 0 {
		run.Notes = append(run.Notes, "skipped "+strings.Join(skipped, ", ")+": no python3 on the PATH")
	}
	if runErr != nil {
		// An interrupted run is saved even when empty: it says so.
		if len(run.Logging) == 0 && ctx.Err() == nil {
			return nil, runErr
		}
		run.Partial = true
		run.Notes = append(run.Notes, partialNote(ctx, runErr))
	}
	if cfg.KeepLogs {
		run.Notes = append(run.Notes, "the log files are kept in "+logs)
	}
	cfg.Journal.End(run)
	return run, runErr
}

// logFolder makes the folder the log files go in, and what removes it.
func logFolder(dir string, keep bool) (string, func(), error) {
	if keep {
		logs := filepath.Join(dir, "logs")
		if err := os.MkdirAll(logs, 0o755); err != nil {
			return "", nil, fmt.Errorf("log folder: %w", err)
		}
		return logs, func() {}, nil
	}
	logs, err := os.MkdirTemp(dir, ".logs-")
	if err != nil {
		return "", nil, fmt.Errorf("log folder: %w", err)
	}
	return logs, func() { os.RemoveAll(logs) }, nil
}

// SizeText says a range of record sizes in words: "100 to 4096", or "512".
func SizeText(s sharedlog.Sizes) string {
	if s.Min == s.Max {
		return strconv.Itoa(s.Min)
	}
	return fmt.Sprintf("%d to %d", s.Min, s.Max)
}
