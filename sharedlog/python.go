package sharedlog

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/poolbench/poolbench/results"
)

// writersScript is the python modes' program: multiprocessing.Process
// writers doing open(path, 'a') and f.write(record), the tutorial's shape.
//
//go:embed python/writers.py
var writersScript []byte

// pythonOutput is what writers.py prints on success.
type pythonOutput struct {
	Python      string  `json:"python"`
	WallSeconds float64 `json:"wall_seconds"`
}

// RunPython runs a python mode, py-unlocked or py-locked: the python3 on the
// PATH, run isolated (-I, standard library only), starts cfg.Writers
// multiprocessing.Process writers that append cfg.Records records each to
// one log file, which is then checked. The records are the ones the Go
// writers write, made here and handed to each writer in a file, so that
// CPython's file object, not a Python port of the encoder, is what is
// measured.
//
// Wall time is python's own, from the writers' start barrier until the last
// has exited. Without python3 it returns ErrNoPython. When ctx ends, the
// python process group is killed.
func RunPython(ctx context.Context, mode Mode, cfg Config) (results.LogMode, error) {
	if !mode.Python() {
		return results.LogMode{}, fmt.Errorf("sharedlog: run python: %w: %q", ErrNotPythonMode, mode)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return results.LogMode{}, err
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", mode, ErrNoPython)
	}
	dir, cleanup, err := cfg.prepare()
	if err != nil {
		return results.LogMode{}, err
	}
	defer cleanup()
	logPath, _ := paths(dir, mode)
	if err := truncate(logPath); err != nil {
		return results.LogMode{}, err
	}
	// The script and the writers' records are inputs, not results: they go
	// whatever happens.
	work, err := os.MkdirTemp(dir, ".python-")
	if err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", mode, err)
	}
	defer os.RemoveAll(work)
	if err := writeSources(work, cfg); err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", mode, err)
	}
	out, err := runWriters(ctx, python, work, logPath, mode, cfg.Writers)
	if err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", mode, err)
	}
	lm, err := measure(mode, cfg, logPath, time.Duration(out.WallSeconds*float64(time.Second)))
	lm.Python = out.Python
	return lm, err
}

// writeSources writes the script and each writer's records, w.records.
func writeSources(dir string, cfg Config) error {
	if err := os.WriteFile(filepath.Join(dir, "writers.py"), writersScript, 0o644); err != nil {
		return err
	}
	var buf []byte
	for w := range cfg.Writers {
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(w)+".records"))
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 64<<10)
		for seq := range cfg.Records {
			buf = AppendRecord(buf[:0], w, seq, cfg.Sizes.For(w, seq))
			bw.Write(buf) // a failure sticks; Flush reports it
		}
		err = bw.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// runWriters runs writers.py in its own process group, killed whole when
// ctx ends, and decodes what it prints.
func runWriters(ctx context.Context, python, dir, logPath string, mode Mode, writers int) (pythonOutput, error) {
	lock := "unlocked"
	if mode == PyLocked {
		lock = "locked"
	}
	cmd := exec.CommandContext(ctx, python, "-I", filepath.Join(dir, "writers.py"), logPath, dir, strconv.Itoa(writers), lock)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C.UTF-8"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// The writers are python's children: killing the group reaches them
	// too (they also die with python, by PR_SET_PDEATHSIG). On its own,
	// python joins its writers before it exits, so once it is reaped none
	// is left.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	var stdout bytes.Buffer
	stderr := &headBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return pythonOutput{}, ctx.Err()
	}
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return pythonOutput{}, fmt.Errorf("python3 writers: %w", err)
	}
	var out pythonOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return pythonOutput{}, fmt.Errorf("python3 writers: output %q: %w", stdout.String(), err)
	}
	if out.WallSeconds <= 0 || out.Python == "" {
		return pythonOutput{}, fmt.Errorf("python3 writers: output %q: %w", stdout.String(), errors.New("no wall time or version"))
	}
	return out, nil
}
