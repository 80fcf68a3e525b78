package sharedlog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/poolbench/poolbench/procpool"
)

// roleWriter is the role (procpool.RegisterRole) that makes a re-executed
// binary a writer process; its spec is the writer's Job as JSON.
const roleWriter = "log-writer"

func init() { procpool.MustRegisterRole(roleWriter, serveWriter) }

// serveWriter is a writer process that RunProcesses started: procpool.ServeRole
// runs it, first thing in main (or TestMain for a test binary).
//
// A writer waits for EOF on stdin before writing, so that the parent can
// start every writer before any begins: the writers then overlap as a pool's
// running workers would, rather than as processes still starting up.
func serveWriter(spec string) error {
	var job Job
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		return fmt.Errorf("sharedlog: writer process: bad job: %w", err)
	}
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		return fmt.Errorf("sharedlog: writer %d: wait to start: %w", job.Writer, err)
	}
	return job.Run(context.Background())
}
