package workloads

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// ExecName is the name of the workload that runs a command per task.
const ExecName = "exec"

// ExecStrategies are the strategies that run a command per task: each task
// already is a process, so a pool of worker processes would only stand
// between the harness and it.
var ExecStrategies = []string{"serial", "goroutines", "goroutine-pool"}

// Argument buffer of an exec task: one mode byte, then the command line
// with {} already replaced by the task index.
const (
	execShell byte = iota // sh -c LINE
	execArgv              // LINE split on blanks, run directly
)

func execArgs(_ uint64, o Options, index int) []byte {
	mode := execShell
	if o.CmdArgv {
		mode = execArgv
	}
	line := strings.ReplaceAll(o.Cmd, "{}", strconv.Itoa(index))
	return append([]byte{mode}, line...)
}

// stderrTail keeps the last bytes a command wrote to its standard error,
// enough for its last line, in bounded memory.
type stderrTail struct{ b []byte }

const stderrKeep = 4 << 10

func (t *stderrTail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > stderrKeep {
		t.b = append(t.b[:0], t.b[len(t.b)-stderrKeep:]...)
	}
	return len(p), nil
}

// lastLine is the last non-blank line written.
func (t *stderrTail) lastLine() string {
	lines := bytes.Split(bytes.TrimRight(t.b, "\r\n\t "), []byte("\n"))
	return strings.TrimSpace(string(lines[len(lines)-1]))
}

// execTask runs the task's command and waits for it. Its standard output
// goes where this process's does (the run's task output); its standard
// error is kept for the error message. A non-zero exit is the task's error,
// carrying the last line the command wrote to standard error. The result is
// empty: a command may print anything, so the checksum only shows that the
// same tasks succeeded.
func execTask(args []byte) ([]byte, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("workloads: %s: no command", ExecName)
	}
	line := string(args[1:])
	var cmd *exec.Cmd
	switch args[0] {
	case execShell:
		cmd = exec.Command("/bin/sh", "-c", line)
	case execArgv:
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil, fmt.Errorf("workloads: %s: no command", ExecName)
		}
		cmd = exec.Command(f[0], f[1:]...)
	default:
		return nil, fmt.Errorf("workloads: %s: unknown mode %d", ExecName, args[0])
	}
	var tail stderrTail
	cmd.Stdout = os.Stdout
	// The command dies with the thread that started it rather than outlive
	// an interrupted trial.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := runKeepingStderr(cmd, &tail)
	if err == nil {
		return nil, nil
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if last := tail.lastLine(); last != "" {
			return nil, fmt.Errorf("command %s: %s", exit.ProcessState, last)
		}
		return nil, fmt.Errorf("command %s", exit.ProcessState)
	}
	return nil, fmt.Errorf("command: %w", err)
}

func checkExec(o Options) error {
	switch {
	case strings.TrimSpace(o.Cmd) == "" && o.CmdArgv:
		return errors.New("--workload exec needs a command: --cmd-argv 'PROGRAM ARG...'")
	case strings.TrimSpace(o.Cmd) == "":
		return errors.New("--workload exec needs a command: --cmd 'gzip -9 < data > /dev/null' (or --cmd-argv)")
	}
	return nil
}

func init() {
	mustRegisterBuiltIn(Workload{
		Name:         ExecName,
		Doc:          "any command: each task runs --cmd through sh -c (or --cmd-argv directly), {} replaced by the task index",
		DefaultSize:  "0",
		ParseSize:    noSize(ExecName, "runs --cmd, which has no size"),
		Run:          execTask,
		TaskArgs:     execArgs,
		CheckOptions: checkExec,
		Strategies:   ExecStrategies,
		OptIn:        true,
	})
}
