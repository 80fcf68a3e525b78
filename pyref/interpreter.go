package pyref

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// MinVersion is the oldest CPython the script runs on.
var MinVersion = [2]int{3, 8}

// Interpreter is a python3 that answered the probe.
type Interpreter struct {
	// Path is the interpreter's own executable (sys.executable), not a
	// launcher or shim in front of it, so that every trial starts it directly.
	Path    string
	Version string // e.g. 3.11.7
	// DefaultStartMethod is multiprocessing's default on this platform and
	// version; StartMethods lists every method it has.
	DefaultStartMethod string
	StartMethods       []string
}

// probe prints what Find needs, one item a line; it must run on any python3
// so that an old one can be told apart from a broken one.
const probe = `import sys, multiprocessing as mp
print(sys.executable)
print("%d.%d.%d" % tuple(sys.version_info[:3]))
print(mp.get_start_method())
print(",".join(mp.get_all_start_methods()))`

// Find checks the interpreter at path, or python3 on PATH when path is "".
func Find(ctx context.Context, path string) (Interpreter, error) {
	name := path
	if name == "" {
		name = "python3"
	}
	exe, err := exec.LookPath(name)
	if err != nil {
		return Interpreter{}, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := probeCommand(ctx, exe, "-I", "-c", probe)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if ctx.Err() != nil {
		return Interpreter{}, fmt.Errorf("pyref: probe %s: %w", exe, context.Cause(ctx))
	}
	if runErr != nil || len(lines) != 4 {
		// An old interpreter may not know -I or the probe: ask its version.
		if v, ok := versionOf(ctx, exe); ok && !recent(v) {
			return Interpreter{}, fmt.Errorf("%w: %s is Python %s, need %d.%d or newer", ErrTooOld, exe, v, MinVersion[0], MinVersion[1])
		}
		return Interpreter{}, fmt.Errorf("%w: %s: %s", ErrNotPython, exe, lastLine(stderr.String(), runErr))
	}
	in := Interpreter{
		Path:               lines[0],
		Version:            lines[1],
		DefaultStartMethod: lines[2],
		StartMethods:       strings.Split(lines[3], ","),
	}
	if _, ok := parseVersion(in.Version); !ok || in.Path == "" {
		return Interpreter{}, fmt.Errorf("%w: %s answered %q", ErrNotPython, exe, stdout.String())
	}
	if !recent(in.Version) {
		return Interpreter{}, fmt.Errorf("%w: %s is Python %s, need %d.%d or newer", ErrTooOld, exe, in.Version, MinVersion[0], MinVersion[1])
	}
	return in, nil
}

// CheckStartMethod returns m if the interpreter has it, its default if m is
// empty.
func (in Interpreter) CheckStartMethod(m string) (string, error) {
	if m == "" {
		return in.DefaultStartMethod, nil
	}
	if !slices.Contains(in.StartMethods, m) {
		return "", fmt.Errorf("%w %q: %s has %s", ErrStartMethod, m, in.Path, strings.Join(in.StartMethods, ", "))
	}
	return m, nil
}

var versionRE = regexp.MustCompile(`(?m)^Python (\d+\.\d+(?:\.\d+)?)`)

// versionOf asks `exe --version`, which every Python answers (Python 2 on
// stderr).
func versionOf(ctx context.Context, exe string) (string, bool) {
	out, _ := probeCommand(ctx, exe, "--version").CombinedOutput()
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

// probeCommand is a short-lived command that asks the interpreter about
// itself. path may be a wrapper (a pyenv shim is a shell script that runs
// helpers before it execs python3), so the command has a process group of
// its own, killed whole if ctx ends, and dies with poolbench.
func probeCommand(ctx context.Context, path string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	return cmd
}

func parseVersion(v string) ([2]int, bool) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return [2]int{}, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return [2]int{major, minor}, err1 == nil && err2 == nil
}

func recent(v string) bool {
	mm, ok := parseVersion(v)
	return ok && (mm[0] > MinVersion[0] || mm[0] == MinVersion[0] && mm[1] >= MinVersion[1])
}

func lastLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		// A traceback ends with the exception: the line that says what failed.
		s = s[i+1:]
	}
	if s == "" {
		if err == nil {
			err = errors.New("unexpected output")
		}
		return err.Error()
	}
	return s
}
