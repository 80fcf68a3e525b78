package sharedlog

import (
	"context"
	"fmt"

	"github.com/poolbench/poolbench/results"
)

// Run runs mode with cfg in goroutines, writer processes, python3 writers or
// a process pool, as the mode requires. A python mode with no python3 on the
// PATH returns ErrNoPython.
func Run(ctx context.Context, mode Mode, cfg Config) (results.LogMode, error) {
	switch {
	case mode == Callback:
		return RunCallback(ctx, cfg)
	case mode.InProcess():
		return RunGoroutines(ctx, mode, cfg)
	case mode.goProcesses():
		return RunProcesses(ctx, mode, cfg)
	case mode.Python():
		return RunPython(ctx, mode, cfg)
	}
	return results.LogMode{}, fmt.Errorf("sharedlog: run %q: %w", mode, ErrUnknownMode)
}
