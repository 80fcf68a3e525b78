//go:build linux

package measure

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// allocBytes is what the alloc child maps and touches.
const allocBytes = 200 << 20

// burnEnv sets how much CPU, in milliseconds, the burn child uses.
const burnEnv = "MEASURE_TEST_BURN_MS"

// runChild runs one child mode and returns its exit code. Modes:
//
//	alloc   print "base", wait for a line, touch allocBytes, print "ready",
//	        wait for stdin to close
//	tree    start MEASURE_TEST_N sleep grandchildren, print "ready", wait for
//	        stdin to close, kill and reap them; with MEASURE_TEST_LATE set,
//	        print "waiting" and wait for a line first
//	churn   start and reap short-lived grandchildren until stdin closes
//	reaper  wait for a line, run a burn grandchild to its end, print
//	        "ready <own CPU seconds>", wait for stdin to close
//	burn    use MEASURE_TEST_BURN_MS of CPU and exit
//	wait    print "ready", wait for stdin to close
//	sleep   sleep (until killed)
//	exit    exit at once
func runChild(mode string) int {
	in := bufio.NewReader(os.Stdin)
	switch mode {
	case "alloc":
		fmt.Println("base")
		in.ReadString('\n')
		// Memory from mmap rather than the Go heap: under -race the
		// detector would shadow a heap slice with several times its size.
		mem, err := syscall.Mmap(-1, 0, allocBytes, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			fmt.Fprintln(os.Stderr, "alloc:", err)
			return 1
		}
		for i := 0; i < len(mem); i += os.Getpagesize() {
			mem[i] = 1
		}
		fmt.Println("ready")
		io.Copy(io.Discard, in)
		syscall.Munmap(mem)
	case "tree":
		if os.Getenv("MEASURE_TEST_LATE") != "" {
			fmt.Println("waiting")
			in.ReadString('\n')
		}
		cmds, err := startGrandchildren(envInt("MEASURE_TEST_N", 1), "sleep")
		if err != nil {
			fmt.Fprintln(os.Stderr, "tree:", err)
			return 1
		}
		fmt.Println("ready")
		io.Copy(io.Discard, in)
		reap(cmds)
	case "pyexec":
		// Exec'd children of another program, each holding 32 MiB of its
		// own, started on the test's word.
		in.ReadString('\n')
		var cmds []*exec.Cmd
		defer func() { reap(cmds) }()
		for range envInt("MEASURE_TEST_N", 1) {
			cmd := exec.Command(os.Getenv("MEASURE_TEST_PYTHON"), "-c",
				"import sys, time\nmem = bytearray(b'\\x01') * (32 << 20)\nprint('ready', flush=True)\ntime.sleep(3600)")
			cmd.Stderr = os.Stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			out, err := cmd.StdoutPipe()
			if err == nil {
				err = cmd.Start()
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "pyexec:", err)
				return 1
			}
			cmds = append(cmds, cmd)
			if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
				fmt.Fprintln(os.Stderr, "pyexec: python said", line, err)
				return 1
			}
		}
		fmt.Println("ready")
		io.Copy(io.Discard, in)
	case "churn":
		done := make(chan struct{})
		go func() { io.Copy(io.Discard, in); close(done) }()
		fmt.Println("ready")
		for {
			select {
			case <-done:
				return 0
			default:
			}
			cmds, err := startGrandchildren(2, "exit")
			if err != nil {
				fmt.Fprintln(os.Stderr, "churn:", err)
				return 1
			}
			for _, cmd := range cmds {
				cmd.Wait()
			}
		}
	case "reaper":
		in.ReadString('\n')
		cmds, err := startGrandchildren(1, "burn", burnEnv+"="+os.Getenv(burnEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, "reaper:", err)
			return 1
		}
		if err := cmds[0].Wait(); err != nil {
			fmt.Fprintln(os.Stderr, "reaper: burn:", err)
			return 1
		}
		var self syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &self)
		fmt.Println("ready", float64(self.Utime.Nano()+self.Stime.Nano())/1e9)
		io.Copy(io.Discard, in)
	case "burn":
		burn(time.Duration(envInt(burnEnv, 100)) * time.Millisecond)
	case "wait":
		fmt.Println("ready")
		io.Copy(io.Discard, in)
	case "sleep":
		time.Sleep(time.Hour)
	case "exit":
	default:
		fmt.Fprintln(os.Stderr, "unknown child mode", mode)
		return 2
	}
	return 0
}

// burn spins until this process has used d of CPU.
func burn(d time.Duration) {
	x := 1.0
	for {
		for range 100000 {
			x = x*1.0000001 + 1e-9
		}
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		if time.Duration(ru.Utime.Nano()+ru.Stime.Nano()) >= d {
			break
		}
	}
	if x == 0 {
		fmt.Println(x) // keep the loop from being optimised away
	}
}
