package sharedlog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// ChildEnv is the environment variable that turns a re-executed binary into
// a writer process. It holds the writer's Job as JSON.
const ChildEnv = "POOLBENCH_SHAREDLOG_JOB"

// ServeIfChild makes the current process a writer if RunProcesses started
// it, and reports whether it did. Call it first thing in main, or in
// TestMain for a test binary; when it returns true, exit at once: with
// status 0 if err is nil, else print err and exit non-zero.
//
// A writer waits for EOF on stdin before writing, so that the parent can
// start every writer before any begins: the writers then overlap as a pool's
// running workers would, rather than as processes still starting up.
func ServeIfChild() (bool, error) {
	spec, ok := os.LookupEnv(ChildEnv)
	if !ok {
		return false, nil
	}
	var job Job
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		return true, fmt.Errorf("sharedlog: writer process: bad %s: %w", ChildEnv, err)
	}
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		return true, fmt.Errorf("sharedlog: writer %d: wait to start: %w", job.Writer, err)
	}
	return true, job.Run(context.Background())
}
