package sharedlog

import (
	"context"
	"fmt"

	"github.com/poolbench/poolbench/results"
)

// Run runs mode with cfg in goroutines, writer processes or a process pool,
// as the mode requires.
func Run(ctx context.Context, mode Mode, cfg Config) (results.LogMode, error) {
	switch {
	case mode == Callback:
		return RunCallback(ctx, cfg)
	case mode.InProcess():
		return RunGoroutines(ctx, mode, cfg)
	case mode == Unlocked || mode == UnlockedNoAppend || mode == Locked:
		return RunProcesses(ctx, mode, cfg)
	}
	return results.LogMode{}, fmt.Errorf("sharedlog: run %q: %w", mode, ErrUnknownMode)
}
