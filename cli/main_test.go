package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/poolbench/poolbench/procpool"
	"go.uber.org/goleak"
)

// envCLIArgs makes the re-executed test binary behave as the poolbench
// command with these arguments (a JSON list), so tests can run it as a
// real process: for exit codes, signals and children.
const envCLIArgs = "POOLBENCH_TEST_CLI_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(envCLIArgs); ok {
		os.Unsetenv(envCLIArgs)
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			panic(err)
		}
		os.Args = append([]string{"poolbench"}, argv...)
		os.Exit(realMain())
	}
	if os.Getenv(procpool.EnvRole) != "" {
		os.Exit(realMain())
	}
	// Race-built children would each sleep a second on exit, which only
	// slows the tests down.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	goleak.VerifyTestMain(m)
}

// poolbench returns the test binary set up to run as poolbench with args.
func poolbench(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	argv, _ := json.Marshal(args)
	cmd.Env = append(os.Environ(), envCLIArgs+"="+string(argv))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// expectUsage runs poolbench with args and expects bad-input handling: exit
// status 2 and one line on stderr containing want, never a stack trace.
func expectUsage(t *testing.T, want string, args ...string) {
	t.Helper()
	code, _, stderr := runCLI(t, args...)
	if code != 2 {
		t.Errorf("exit status %d, want 2; stderr: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q: want one line containing %q", stderr, want)
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("stderr has a stack trace: %s", stderr)
	}
}

// runCLI runs poolbench with args in a child process and returns its exit
// status, stdout and stderr.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := poolbench(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}
