package cli

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/natspool"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/workloads"
)

// TestWorkersOnTwoHostsShareAMap: a pool listening on a random loopback
// port, two `poolbench worker --connect` processes standing for two hosts,
// a Map across them, and one worker process killed mid-task: its task is
// redelivered to a live worker, its host starts another in its place, and
// every result comes back; then the workers exit with their pool and the
// hosts on Ctrl-C.
func TestWorkersOnTwoHostsShareAMap(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p, err := natspool.New(0, natspool.Listen("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.Terminate(); p.Join() }()
	started := regexp.MustCompile(`^pool \S+: worker (\d+) started$`)
	var hosts []*hostProc
	for range 2 {
		h := startHost(t, p.URL())
		defer h.stop(t)
		hosts = append(hosts, h)
	}
	if err := p.WaitWorkers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	pids := make([]int, 2)
	for i, h := range hosts {
		line, err := h.events.ReadString('\n')
		m := started.FindStringSubmatch(line[:max(len(line)-1, 0)])
		if err != nil || m == nil {
			t.Fatalf("host %d said %q, %v", i, line, err)
		}
		pids[i], _ = strconv.Atoi(m[1])
	}
	const tasks = 6
	args := make([][]byte, tasks)
	for i := range args {
		args[i] = workloads.Args(uint64(300*time.Millisecond), uint64(i))
	}
	// Imap has sent each host's worker a task when it returns; kill one.
	seq, err := p.Imap(ctx, workloads.IOName, args)
	if err != nil {
		t.Fatal(err)
	}
	syscall.Kill(pids[0], syscall.SIGKILL)
	n, redelivered := 0, 0
	ran := map[int]bool{}
	for r := range seq {
		if r.Err != nil {
			t.Fatalf("task %d: %v", n, r.Err)
		}
		ran[r.WorkerPID] = true
		if r.Deliveries > 1 {
			redelivered++
			if r.WorkerPID == pids[0] {
				t.Errorf("task %d redelivered to the killed worker %d", n, pids[0])
			}
		}
		n++
	}
	if n != tasks || redelivered == 0 {
		t.Fatalf("%d of %d results, %d redelivered, want all and at least one", n, tasks, redelivered)
	}
	line := readLine(t, hosts[0].events, `^pool \S+: worker \d+ started in place of a lost one$`)
	if line == "" {
		t.Fatal("the killed worker's host started none in its place")
	}
	replacement, _ := strconv.Atoi(regexp.MustCompile(`worker (\d+)`).FindStringSubmatch(line)[1])
	for pid := range ran {
		if pid != pids[0] && pid != pids[1] && pid != replacement {
			t.Errorf("a task ran in pid %d, not a worker of either host (%v, then %d)", pid, pids, replacement)
		}
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	// The live worker exits with its pool.
	if line := readLine(t, hosts[1].events, `^pool \S+: worker `+strconv.Itoa(pids[1])+` ended: exited$`); line == "" {
		t.Fatal("the live worker did not exit with its pool")
	}
}

// hostProc is a `poolbench worker` process standing for a host.
type hostProc struct {
	cmd    interface{ Wait() error }
	pid    int
	events *bufio.Reader
}

func startHost(t *testing.T, url string) *hostProc {
	t.Helper()
	cmd := poolbench("worker", "--connect", url, "--procs", "1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &hostProc{cmd: cmd, pid: cmd.Process.Pid, events: bufio.NewReader(out)}
	// First, which executable its workers run: the test binary itself,
	// which has functions of its own and no build stamp.
	if line, err := h.events.ReadString('\n'); err != nil || !strings.HasPrefix(line, "worker: workers re-execute ") {
		t.Fatalf("the host's first line %q, %v; want which executable its workers run", line, err)
	}
	return h
}

// stop interrupts the host as Ctrl-C does; it must exit 0 and leave no
// worker behind (the test binary's leak check finds any child left).
func (h *hostProc) stop(t *testing.T) {
	syscall.Kill(h.pid, syscall.SIGINT)
	go io.Copy(io.Discard, h.events)
	if err := h.cmd.Wait(); err != nil {
		t.Errorf("host %d after Ctrl-C: %v", h.pid, err)
	}
}

// readLine reads lines until one matches pattern (returned) or the end.
func readLine(t *testing.T, r *bufio.Reader, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for {
		line, err := r.ReadString('\n')
		if len(line) > 0 && re.MatchString(line[:len(line)-1]) {
			return line
		}
		if err != nil {
			return ""
		}
	}
}

// TestRunNATSServerFlags: --nats makes the nats-* strategies use the server
// given, --listen their own on that address; results.json says which.
func TestRunNATSServerFlags(t *testing.T) {
	srv, err := natspool.StartServer("", false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	for _, tt := range []struct {
		flag, value, want string
	}{
		{"--nats", srv.ClientURL(), "external"},
		{"--listen", "127.0.0.1:0", "embedded"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			code, _, stderr := runCLI(t, "run", "--workload", "noop", "--strategies", "nats-pool-map", "--tasks", "20", "--workers", "2",
				"--repeat", "1", "--warmup", "0", tt.flag, tt.value, "--out", dir)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			run, err := results.ReadFile(filepath.Join(dir, "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			host, _ := os.Hostname()
			if r := run.Results[0]; r.NATSServer != tt.want || r.Hosts[host] != 20 || r.Errors != 0 {
				t.Fatalf("server %q, hosts %v, %d errors; want %s and 20 tasks on %s", r.NATSServer, r.Hosts, r.Errors, tt.want, host)
			}
		})
	}
}

// worker's bad input is one line and exit status 2, before it connects.
func TestWorkerBadInput(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no server", []string{"worker"}, "--connect is required"},
		{"not a URL", []string{"worker", "--connect", "nats://"}, `--connect "nats://": want a URL such as nats://10.0.0.1:4222`},
		{"no procs", []string{"worker", "--connect", "nats://127.0.0.1:4222", "--procs", "0"}, "--procs 0: want at least 1"},
	} {
		t.Run(tt.name, func(t *testing.T) { expectUsage(t, tt.want, tt.args...) })
	}
}
