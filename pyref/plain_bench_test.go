package pyref

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// plainScript is what a Python programmer would write to time 20,000
// apply_async noops (with 0 seconds a task): Pool(workers), apply_async
// with a callback for every task, close, join; it prints the seconds that
// took.
const plainScript = "testdata/plain_pool.py"

// BenchmarkApplyAsyncAgainstPlainScript sets Run's pool-apply-async on
// noop beside the plain script, in turn in each iteration, so that their
// ratio is measured under the same load: what the script's records and
// this package's reading of them cost, without a trial process around
// them (the harness's BenchmarkPythonAgreesWithDirect measures the whole).
// Run's span is from the interpreter's begin record to its end record,
// the pool's start and join included, as the script's is.
func BenchmarkApplyAsyncAgainstPlainScript(b *testing.B) {
	in := needPython(b)
	script, err := filepath.Abs(plainScript)
	if err != nil {
		b.Fatal(err)
	}
	const tasks, workers = 20_000, 10
	var ours, plain, oursCPU, plainCPU time.Duration
	for b.Loop() {
		before := cpuUsed()
		j := Job{Strategy: "pool-apply-async", Workload: "noop", Tasks: tasks, Workers: workers,
			StartMethod: "fork", Stall: time.Minute, Stdout: os.Stderr, Stderr: os.Stderr}
		s := &countSink{}
		rep, err := Run(context.Background(), in.Path, j, s)
		if err != nil || s.tasks != tasks {
			b.Fatalf("%d of %d tasks: %v", s.tasks, tasks, err)
		}
		ours += rep.End.Sub(rep.Begin)
		between := cpuUsed()
		oursCPU += between - before
		out, err := exec.Command(in.Path, "-I", script, strconv.Itoa(tasks), strconv.Itoa(workers), "0").Output()
		if err != nil {
			b.Fatalf("plain script: %v", err)
		}
		secs, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			b.Fatal(err)
		}
		plain += time.Duration(secs * float64(time.Second))
		plainCPU += cpuUsed() - between
	}
	b.ReportMetric(tasks*float64(b.N)/ours.Seconds(), "pyref-tasks/s")
	b.ReportMetric(tasks*float64(b.N)/plain.Seconds(), "script-tasks/s")
	b.ReportMetric(ours.Seconds()/plain.Seconds(), "wall-ratio")
	// CPU is steadier than wall time on a busy machine: the interpreters'
	// trees (and this process, reading Run's records) over the script's.
	b.ReportMetric(oursCPU.Seconds()/plainCPU.Seconds(), "cpu-ratio")
}

// cpuUsed is the CPU this process and its waited-for children have used.
func cpuUsed() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	var total time.Duration
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, kids.Utime, kids.Stime} {
		total += time.Duration(tv.Nano())
	}
	return total
}

// countSink counts the tasks reported, as a sink that keeps nothing.
type countSink struct{ tasks int }

func (s *countSink) Task(int, []byte, error, time.Duration) { s.tasks++ }
func (s *countSink) Spawn(int, time.Duration)               {}
func (s *countSink) CallbackPID(int)                        {}
func (s *countSink) WorkerPID(int)                          {}
