package sharedlog

import (
	"context"
	"fmt"

	"github.com/poolbench/poolbench/results"
)

// Run runs mode with cfg in goroutines or processes, as the mode requires.
// The callback mode is the process pool's to run: Run returns ErrPoolMode.
func Run(ctx context.Context, mode Mode, cfg Config) (results.LogMode, error) {
	switch {
	case mode == Callback:
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", mode, ErrPoolMode)
	case mode.InProcess():
		return RunGoroutines(ctx, mode, cfg)
	case mode == Unlocked || mode == UnlockedNoAppend || mode == Locked:
		return RunProcesses(ctx, mode, cfg)
	}
	return results.LogMode{}, fmt.Errorf("sharedlog: run %q: %w", mode, ErrUnknownMode)
}
