package procpool

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// The test binary's own role: it prints its spec, so a test sees that the
// switch reached it with the spec whole (colons and all).
func init() {
	MustRegisterRole("test.say", func(spec string) error {
		_, err := os.Stdout.WriteString("said " + spec + " role=" + os.Getenv(EnvRole) + "\n")
		return err
	})
}

func TestServeRole(t *testing.T) {
	tests := []struct {
		name     string
		env      string
		wantCode int
		want     string
	}{
		{"registered role gets its spec", RoleEnv("test.say", `{"a":"b:c"}`), 0, `said {"a":"b:c"} role=` + "\n"},
		{"role without a spec", RoleEnv("test.say", ""), 0, "said  role=\n"},
		{"unknown role", RoleEnv("nosuch", "x"), 1, `unknown role "nosuch" (this executable has test.say, worker)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), tt.env)
			cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode || !strings.Contains(string(out), tt.want) {
				t.Errorf("exit %d, output %q; want exit %d and %q", code, out, tt.wantCode, tt.want)
			}
		})
	}
}

func TestRegisterRoleRefuses(t *testing.T) {
	serve := func(string) error { return nil }
	tests := []struct {
		name  string
		role  string
		serve func(string) error
	}{
		{"no name", "", serve},
		{"colon in the name", "a:b", serve},
		{"no func", "test.nil", nil},
		{"the pool's own", RoleWorker, serve},
		{"twice", "test.say", serve},
	}
	for _, tt := range tests {
		if err := RegisterRole(tt.role, tt.serve); err == nil {
			t.Errorf("%s: RegisterRole(%q) succeeded", tt.name, tt.role)
		}
	}
}

// A process started as a worker whose main forgot ServeRole runs main,
// and main's New would start workers that do the same: New refuses at once,
// and starts nothing.
func TestNewRefusesInAnUnservedRole(t *testing.T) {
	t.Setenv(EnvRole, RoleEnv(RoleWorker, "1")[len(EnvRole)+1:])
	p, err := New(1)
	if p != nil {
		p.Terminate()
		p.Join()
	}
	if !errors.Is(err, ErrRoleNotServed) || !strings.Contains(err.Error(), `the role "worker"`) || strings.Contains(err.Error(), "worker:1") {
		t.Fatalf("New in a worker's environment = %v; want ErrRoleNotServed naming the role, not its spec", err)
	}
}

// A worker built from another procpool than its pool's refuses the pool at
// the handshake, saying so, rather than misreading its frames: here the
// pool plays one from before the protocol had a version.
func TestWorkerRefusesAnotherProtocol(t *testing.T) {
	defer func(v uint64) { poolProtocol = v }(poolProtocol)
	poolProtocol = 0
	p, err := New(1)
	if p != nil {
		p.Terminate()
		p.Join()
	}
	if want := fmt.Sprintf("speaks procpool protocol %d, the pool 0: build the worker and the pool from the same procpool", protocolVersion); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("New with a pool of protocol 0: %v; want the worker's refusal", err)
	}
}
