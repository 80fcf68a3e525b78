package procpool

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// A worker runs with its share of the owner's CPUs, at least one, unless
// GOMAXPROCS is set for it.
func TestWorkerGOMAXPROCS(t *testing.T) {
	if v, set := os.LookupEnv("GOMAXPROCS"); set {
		t.Skipf("GOMAXPROCS=%s is set for every worker", v)
	}
	cpus := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		name    string
		workers int
		opts    []Option
		want    int
	}{
		{"one worker has every CPU", 1, nil, cpus},
		{"two share them", 2, nil, max(1, cpus/2)},
		{"more workers than CPUs have one each", cpus + 1, nil, 1},
		{"WorkerGOMAXPROCS sets it", cpus + 1, []Option{WorkerGOMAXPROCS(5)}, 5},
		{"GOMAXPROCS set for the workers wins", 2, []Option{Env("GOMAXPROCS=3"), WorkerGOMAXPROCS(5)}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, tc.workers, tc.opts...)
			r, err := p.Apply(context.Background(), Task{Func: "test.gomaxprocs"})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := strconv.Atoi(string(r.Value)); got != tc.want {
				t.Fatalf("worker's GOMAXPROCS %s, want %d", r.Value, tc.want)
			}
		})
	}
}

// A worker told something that is not a GOMAXPROCS says so and exits.
func TestWorkerRejectsABadSpec(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), RoleEnv(RoleWorker, "lots"))
	cmd.Env = append(cmd.Env, "GOMAXPROCS=1") // set or not, the spec is checked
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("worker with spec %q exited 0: %s", "lots", out)
	}
	if !strings.Contains(string(out), "want a GOMAXPROCS") {
		t.Fatalf("worker with a bad spec said %q", out)
	}
}
