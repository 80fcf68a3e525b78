package natspool

import (
	"os"
	"strings"

	"github.com/poolbench/poolbench/natspool/internal/wire"
	"github.com/poolbench/poolbench/procpool"
)

// workerEnviron is a worker process's environment: this process's, the
// worker role with its spec, then extra; and GOMAXPROCS=1 unless one of
// those sets GOMAXPROCS already.
//
// A worker runs one task at a time: the pool's parallelism is its
// processes. With one P its runtime does not wake a second thread to look
// for work around every message it reads and writes, and with ten workers
// on two CPUs that is CPU the other workers' messages are waiting for: the
// article's batch (Pool of 10, 100 tasks of 50 ms, lean workers) took
// 531.2 ms against 535.5 ms (medians of 15 pairs, alternating), and a
// worker's CPU per task went from about 850 to 620 us. A task that wants
// more of its host's CPUs for itself gets them with Env("GOMAXPROCS=n").
func workerEnviron(spec string, extra []string) []string {
	env := append(append(os.Environ(), procpool.RoleEnv(wire.RoleWorker, spec)), extra...)
	for _, kv := range env {
		if strings.HasPrefix(kv, "GOMAXPROCS=") {
			return env
		}
	}
	return append(env, "GOMAXPROCS=1")
}
