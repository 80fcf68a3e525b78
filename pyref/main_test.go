package pyref

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if strategy := os.Getenv(envOwner); strategy != "" {
		os.Exit(owner(strategy))
	}
	goleak.VerifyTestMain(m)
}

// envOwner makes the test binary an owner of a run of the named strategy
// whose tasks sleep for an hour: it prints each child's pid as it starts,
// then waits to be killed.
const envOwner = "PYREF_TEST_OWNER"

func owner(strategy string) int {
	in, err := Find(context.Background(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_, err = Run(context.Background(), in.Path, Job{Strategy: strategy, Workload: "io", Size: uint64(time.Hour), Tasks: 3, Workers: 3,
		Stdout: os.Stderr, Stderr: os.Stderr}, printSpawns{})
	fmt.Fprintln(os.Stderr, err)
	return 1
}

type printSpawns struct{}

func (printSpawns) Task(int, []byte, error, time.Duration) {}
func (printSpawns) Spawn(pid int, _ time.Duration)         { fmt.Println(pid) }
func (printSpawns) CallbackPID(int)                        {}
func (printSpawns) WorkerPID(int)                          {}

// python is the system's python3, found once; tests that need it skip
// without one (CI installs it).
var python = sync.OnceValues(func() (Interpreter, error) { return Find(context.Background(), "") })

func needPython(t testing.TB) Interpreter {
	t.Helper()
	in, err := python()
	if err != nil {
		t.Skipf("no python3: %v", err)
	}
	return in
}

// sink collects what a run reports.
type sink struct {
	mu        sync.Mutex
	values    map[int][]byte
	errs      map[int]*TaskError
	latencies map[int]time.Duration
	spawns    map[int]time.Duration
	callbacks map[int]bool
	workers   map[int]bool
	onSpawn   func()
}

func newSink() *sink {
	return &sink{values: map[int][]byte{}, errs: map[int]*TaskError{}, latencies: map[int]time.Duration{},
		spawns: map[int]time.Duration{}, callbacks: map[int]bool{}, workers: map[int]bool{}}
}

func (s *sink) Task(i int, v []byte, err error, l time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies[i] = l
	if err != nil {
		s.errs[i] = err.(*TaskError)
		return
	}
	s.values[i] = v
}
func (s *sink) Spawn(pid int, d time.Duration) {
	s.mu.Lock()
	s.spawns[pid] = d
	s.mu.Unlock()
	if s.onSpawn != nil {
		s.onSpawn()
	}
}
func (s *sink) CallbackPID(pid int) { s.mu.Lock(); s.callbacks[pid] = true; s.mu.Unlock() }
func (s *sink) WorkerPID(pid int)   { s.mu.Lock(); s.workers[pid] = true; s.mu.Unlock() }

// groupMembers lists the processes, zombies included, whose process group
// is pgid.
func groupMembers(pgid int) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		// After the command: state, ppid, pgrp.
		f := strings.Fields(s[i+1:])
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) {
			out = append(out, fmt.Sprintf("%d %s (state %s, parent %s)", pid, s[strings.IndexByte(s, '('):i+1], f[0], f[1]))
		}
	}
	return out
}
