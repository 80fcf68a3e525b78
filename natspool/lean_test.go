package natspool

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poolbench/poolbench/internal/gobuild"
	"github.com/poolbench/poolbench/workloads"
)

// buildLeanWorker builds testdata/leanworker, a worker binary of procpool,
// natsworker and the workloads, static as make build's, and returns its
// path.
func buildLeanWorker(t testing.TB) string {
	t.Helper()
	return gobuild.Build(t, filepath.Join(t.TempDir(), "leanworker"), "./testdata/leanworker", "")
}

// The worker side must not link the embedded server: a worker binary
// that imports it pays the server's initialisers at every start. Nor,
// like poolbench-worker, the executable-file readers (debug/...) that only
// poolbench needs, to read other binaries' build stamps.
func TestWorkerSideLinksNoServer(t *testing.T) {
	out, err := exec.Command(gobuild.Tool(t), "list", "-deps", "./natsworker", "./testdata/leanworker", "../cmd/poolbench-natsworker").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || !strings.Contains(string(out), "github.com/nats-io/nats.go\n") {
		t.Fatalf("go list -deps gave %d packages, without nats.go: not the worker side's", len(deps))
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/nats-io/nats-server") || d == "github.com/poolbench/poolbench/natspool" || strings.HasPrefix(d, "debug/") {
			t.Errorf("the worker side links %s", d)
		}
	}
}

// A binary of the worker side alone serves a pool started with Command:
// the tasks run in its processes.
func TestLeanWorkerBinaryServesThePool(t *testing.T) {
	bin := buildLeanWorker(t)
	p := newPool(t, 2, Command(bin))
	args := make([][]byte, 4)
	for i := range args {
		args[i] = workloads.Args(uint64(20*time.Millisecond), uint64(i))
	}
	res, err := p.Map(context.Background(), workloads.IOName, args)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("task %d: %v", i, r.Err)
		}
		// Its worker is still up: the pool is not closed yet.
		exe, err := os.Readlink("/proc/" + strconv.Itoa(r.WorkerPID) + "/exe")
		if err != nil || exe != bin {
			t.Errorf("task %d ran in pid %d, executable %q (%v), want %s", i, r.WorkerPID, exe, err, bin)
		}
	}
}
