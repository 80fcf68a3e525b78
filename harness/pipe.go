package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
)

// rolePipeEcho is the role of the far end of the raw pipe measurement; its
// spec is "IN,OUT" byte counts.
const rolePipeEcho = "pipe-echo"

// servePipeEcho runs the far end of PipeBandwidth: it reads IN bytes from
// standard input and answers OUT bytes on standard output, until standard
// input ends.
func servePipeEcho(v string) error {
	a, b, _ := strings.Cut(v, ",")
	in, err1 := strconv.ParseUint(a, 10, 32)
	out, err2 := strconv.ParseUint(b, 10, 32)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("harness: pipe echo: bad sizes %q", v)
	}
	inBuf, outBuf := make([]byte, in), filled(out)
	for {
		if _, err := io.ReadFull(os.Stdin, inBuf); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("harness: pipe echo: %w", err)
		}
		if _, err := os.Stdout.Write(outBuf); err != nil {
			return fmt.Errorf("harness: pipe echo: %w", err)
		}
	}
}

// measurePipe measures the raw pipe bandwidth for w's payloads once, when
// w moves data (payload), so that each repeat of its strategies has a pipe
// measurement taken beside it; 0 for other workloads.
func (p *plan) measurePipe(ctx context.Context, w workloads.Workload) (float64, error) {
	if w.BytesPerTask == nil {
		return 0, nil
	}
	in, out := workloads.PayloadSizes(p.Options)
	return PipeBandwidth(ctx, p.Executable, in, out, p.Tasks)
}

// PipeBandwidth is the floor under moving payloads between processes: it
// sends in bytes through a pipe to a child process (exe re-executed as
// the pipe-echo role) and reads out bytes back, rounds times, one round trip
// at a time, with no framing, encoding or pool, and returns the bytes moved
// per second (both ways), timed from the echo's first answer. Its pipes
// are grown as procpool grows the pipes that carry large frames, so that
// the pool is not compared with a narrower pipe than its own.
func PipeBandwidth(ctx context.Context, exe string, in, out uint64, rounds int) (float64, error) {
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), procpool.RoleEnv(rolePipeEcho, fmt.Sprintf("%d,%d", in, out)))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	childIn, w, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("harness: pipe bandwidth: %w", err)
	}
	defer w.Close()
	r, childOut, err := os.Pipe()
	if err != nil {
		childIn.Close()
		return 0, fmt.Errorf("harness: pipe bandwidth: %w", err)
	}
	defer r.Close()
	if in > 64<<10 {
		growPipe(w)
	}
	if out > 64<<10 {
		growPipe(r)
	}
	cmd.Stdin, cmd.Stdout = childIn, childOut
	err = cmd.Start()
	childIn.Close()
	childOut.Close()
	if err != nil {
		return 0, fmt.Errorf("harness: pipe bandwidth: start echo: %w", err)
	}
	inBuf, outBuf := filled(in), make([]byte, out)
	round := func() error {
		if _, err := w.Write(inBuf); err != nil {
			return err
		}
		_, err := io.ReadFull(r, outBuf)
		return err
	}
	// One round before the clock starts: the first waits for the echo to
	// start (poolbench re-executed, several ms), which is not the pipe's.
	moveErr := round()
	start := time.Now()
	for i := 0; i < rounds && moveErr == nil; i++ {
		moveErr = round()
	}
	elapsed := time.Since(start)
	w.Close()
	waitErr := cmd.Wait()
	if err := errors.Join(moveErr, waitErr); err != nil {
		return 0, fmt.Errorf("harness: pipe bandwidth: %w", err)
	}
	return float64((in+out)*uint64(rounds)) / elapsed.Seconds(), nil
}

// filled is a buffer of n bytes that all hold data. A buffer only made is
// never touched: the kernel maps its pages to the one shared zero page,
// which a write then copies from a few kilobytes that stay in the CPU's
// cache. A pool sends bytes that are really there, so the pipe does too.
func filled(n uint64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return b
}

// growPipe grows the pipe f is an end of as procpool grows its own: to
// /proc/sys/fs/pipe-max-size, at most 1 MiB; best effort.
func growPipe(f *os.File) {
	b, err := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if err != nil {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return
	}
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, min(n, 1<<20)) })
	}
}
