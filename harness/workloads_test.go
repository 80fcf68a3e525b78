package harness

import (
	"context"
	"math"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/poolbench/poolbench/workloads"
)

// The new workloads run under every Go strategy, in process and in pool
// workers, and every strategy computes what serial did.
func TestNewWorkloadsUnderEveryStrategy(t *testing.T) {
	cfg := small(workloads.PayloadName, workloads.SkewedName, workloads.AllocName)
	cfg.TaskSizes = map[string]string{workloads.SkewedName: "20k", workloads.AllocName: "256KiB"}
	cfg.Options = workloads.Options{Seed: 5, PayloadIn: 4 << 10, PayloadOut: 1 << 10, Skew: 1}
	cfg.Repeat, cfg.Warmup = 1, 0
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Config.Payload != "in=4096,out=1024" || run.Config.Seed != 5 || run.Config.Skew == nil || *run.Config.Skew != 1 {
		t.Errorf("config records payload %q, seed %d, skew %v", run.Config.Payload, run.Config.Seed, run.Config.Skew)
	}
	if len(run.Config.WorkloadDocs) != 3 {
		t.Errorf("workload docs: %v", run.Config.WorkloadDocs)
	}
	for _, r := range run.Results {
		name := r.Strategy + "/" + r.Workload
		if r.Strategy != "serial" && (r.ChecksumOK == nil || !*r.ChecksumOK) {
			t.Errorf("%s: checksum not checked or different from serial's", name)
		}
		// Counted from the wall time's start, the last task's end is
		// within it.
		if f := r.TaskFinishSeconds; len(f) != 21 || !slices.IsSorted(f) || f[20] <= 0 || f[20] > r.WallSeconds.Median {
			t.Errorf("%s: finish CDF %v, wall %g s: want 21 rising quantiles within the wall time", name, f, r.WallSeconds.Median)
		}
		switch r.Workload {
		case workloads.PayloadName:
			if r.BytesPerTask != 5<<10 || r.BytesPerSecond == nil {
				t.Fatalf("%s: %d bytes per task, bytes/s %v", name, r.BytesPerTask, r.BytesPerSecond)
			}
			want := float64(r.BytesPerTask) * float64(r.Tasks) / r.WallSeconds.Median
			if math.Abs(*r.BytesPerSecond/want-1) > 1e-9 {
				t.Errorf("%s: %g bytes/s, want %g", name, *r.BytesPerSecond, want)
			}
			if r.PipeBytesPerSecond == nil || *r.PipeBytesPerSecond <= 0 || r.BytesPerSecondVsPipe == nil ||
				math.Abs(*r.BytesPerSecondVsPipe - *r.BytesPerSecond / *r.PipeBytesPerSecond) > 1e-9 {
				t.Errorf("%s: pipe %v, ratio %v", name, r.PipeBytesPerSecond, r.BytesPerSecondVsPipe)
			}
		case workloads.SkewedName:
			if r.IdealSeconds == nil || r.LastFinishVsIdeal == nil {
				t.Fatalf("%s: no ideal or tail", name)
			}
			want := r.TaskFinishSeconds[20] / *r.IdealSeconds
			if math.Abs(*r.LastFinishVsIdeal/want-1) > 1e-9 {
				t.Errorf("%s: tail %g, want %g", name, *r.LastFinishVsIdeal, want)
			}
		}
	}
}

func TestExecRunsUnderItsStrategiesOnly(t *testing.T) {
	cfg := small(workloads.ExecName)
	cfg.Strategies = []string{"pool-map"}
	cfg.Options = workloads.Options{Cmd: "true"}
	if err := Validate(context.Background(), cfg); !IsConfigError(err) || !strings.Contains(err.Error(), "serial, goroutines, goroutine-pool only") {
		t.Fatalf("exec under pool-map: %v", err)
	}
	cfg.Options = workloads.Options{}
	cfg.Strategies = []string{"serial"}
	if err := Validate(context.Background(), cfg); !IsConfigError(err) || !strings.Contains(err.Error(), "needs a command") {
		t.Fatalf("exec without a command: %v", err)
	}

	cfg.Strategies = []string{"serial", "goroutine-pool", "pool-apply"}
	cfg.Options = workloads.Options{Cmd: `test {} -ne 2 || { echo "task {} failed" >&2; exit 7; }`}
	cfg.Repeat, cfg.Warmup = 1, 0
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(run.Notes, func(n string) bool { return strings.Contains(n, "pool-apply skipped") }) {
		t.Errorf("notes %q do not say pool-apply was skipped", run.Notes)
	}
	if len(run.Results) != 2 {
		t.Fatalf("%d results, want serial and goroutine-pool", len(run.Results))
	}
	for _, r := range run.Results {
		if r.Errors != 1 || r.ErrorKinds["error"] != 1 || len(r.ErrorSamples) != 1 ||
			!strings.HasSuffix(r.ErrorSamples[0], "exit status 7: task 2 failed") {
			t.Errorf("%s: %d errors %v, samples %q", r.Strategy, r.Errors, r.ErrorKinds, r.ErrorSamples)
		}
	}
}

// PipeBandwidth completes its round trips with a real child (a short read
// would block or fail it), and a far end that dies is an error, not a
// figure.
func TestPipeBandwidth(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bw, err := PipeBandwidth(context.Background(), exe, 64<<10, 1<<10, 20)
	if err != nil || bw <= 0 {
		t.Fatalf("PipeBandwidth = %g, %v", bw, err)
	}
	if _, err := PipeBandwidth(context.Background(), "/bin/false", 16, 16, 5); err == nil {
		t.Fatal("a far end that exits at once gave a figure")
	}
}

// The pipe's figure leaves out the echo's start: an echo that starts a
// second late gives the same kind of figure as one that starts at once,
// not the bytes over a second. (The bound is the second the echo sleeps,
// hundreds of times what 20 round trips of 65 KiB take.)
func TestPipeBandwidthLeavesOutTheEchosStart(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	const delay = time.Second
	t.Setenv(envEchoDelay, delay.String())
	const in, out, rounds = 64 << 10, 1 << 10, 20
	bw, err := PipeBandwidth(context.Background(), exe, in, out, rounds)
	if err != nil {
		t.Fatal(err)
	}
	timed := time.Duration(float64((in+out)*rounds) / bw * float64(time.Second))
	t.Logf("%.0f MB/s: %d round trips timed at %v, behind an echo that started %v late", bw/1e6, rounds, timed, delay)
	if timed >= delay {
		t.Errorf("the figure's %v of round trips holds the echo's %v start", timed, delay)
	}
}

// A payload too large for one message of the nats-* strategies' embedded
// server is refused before anything runs; one that fits, or one under
// other strategies, is not. (An external server's limit is its own:
// TestExternalNATSServerProbed.)
func TestPayloadOverNATSMessageLimit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		strategies []string
		in, out    uint64
		refused    bool
	}{
		{"in over", []string{"pool-apply-async", "nats-pool-apply-async"}, 1 << 20, 1 << 10, true},
		{"out over", []string{"nats-pool-map"}, 1 << 10, 1 << 20, true},
		{"fits", []string{"nats-pool-apply"}, 512 << 10, 512 << 10, false},
		{"no nats strategy", []string{"pool-apply-async"}, 1 << 20, 1 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := small(workloads.PayloadName)
			cfg.Strategies = tc.strategies
			cfg.Options = workloads.Options{PayloadIn: tc.in, PayloadOut: tc.out}
			err := Validate(context.Background(), cfg)
			if tc.refused {
				if !IsConfigError(err) || !strings.Contains(err.Error(), "max_payload") {
					t.Fatalf("want a refusal naming max_payload, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

// As its configuration is checked, before anything runs, a run connects
// once to the external server its nats-* strategies are to use: one where
// no server answers is refused, and so are payload tasks over that
// server's own max_payload (the embedded server's would take them), but
// not those within it.
func TestExternalNATSServerProbed(t *testing.T) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true, MaxPayload: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := "nats://" + l.Addr().String()
	l.Close()
	url := ns.ClientURL()
	for _, tc := range []struct {
		name, url string
		in        uint64
		want      string
	}{
		{"no server there", nobody, 1 << 10, nobody},
		{"payload over its max_payload", url, 128 << 10, "max_payload 65536"},
		{"payload within it", url, 32 << 10, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := small(workloads.PayloadName)
			cfg.Strategies = []string{"pool-apply", "nats-pool-apply"}
			cfg.Options = workloads.Options{PayloadIn: tc.in, PayloadOut: 1 << 10}
			cfg.NATSURL = tc.url
			err := Validate(context.Background(), cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !IsConfigError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v; want a config error naming %q", err, tc.want)
			}
		})
	}
	// Checked again, as Run checks what the CLI validated first, the
	// server answers from memory: it is not asked twice. Gone, it would
	// refuse a new connection.
	ns.Shutdown()
	ns.WaitForShutdown()
	if _, err := maxPayloadAt(url); err != nil {
		t.Errorf("a server probed once was asked again: %v", err)
	}
	if _, err := maxPayloadAt(nobody); err == nil {
		t.Errorf("a server that never answered counts as probed")
	}
}

// The nats-* strategies' server options are checked before anything runs:
// a listen address that StartServer would refuse later, a URL with no
// host, or both at once, is one line.
func TestNATSServerOptionsChecked(t *testing.T) {
	for _, tc := range []struct {
		name, url, listen, want string
	}{
		{"port not a number", "", "bogus:addr", `--listen "bogus:addr"`},
		{"port out of range", "", "127.0.0.1:70000", `--listen "127.0.0.1:70000"`},
		{"no port", "", "127.0.0.1", `--listen "127.0.0.1"`},
		{"URL without a host", "nats://", "", `--nats "nats://"`},
		{"both", "nats://127.0.0.1:4222", "127.0.0.1:0", "--nats and --listen exclude each other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := small(workloads.NoopName)
			cfg.Strategies = []string{"nats-pool-map"}
			cfg.NATSURL, cfg.NATSListen = tc.url, tc.listen
			if err := Validate(context.Background(), cfg); !IsConfigError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v; want a config error naming %q", err, tc.want)
			}
		})
	}
}
