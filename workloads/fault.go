package workloads

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Fault is what an injected failure does to one task.
type Fault byte

const (
	NoFault Fault = iota
	// Crash ends the process running the task mid-task (exit status 3); in a
	// process that must not die (an in-process strategy) it panics instead,
	// which is the same failure for a goroutine.
	Crash
	// Error makes the task return an error.
	Error
	// Hang makes the task sleep far past any sensible timeout.
	Hang
)

func (f Fault) String() string {
	return [...]string{"none", "crash", "error", "hang"}[f]
}

// Faults are per-task probabilities of each fault. Which tasks fail is a
// function of the seed and the task's index only, so every strategy in a
// run sees the same tasks fail and the comparison is fair.
type Faults struct {
	Crash, Error, Hang float64
	Seed               int64
}

// Any reports whether any fault is injected.
func (f Faults) Any() bool { return f.Crash > 0 || f.Error > 0 || f.Hang > 0 }

// For decides the fault of task index.
func (f Faults) For(index int) Fault {
	if !f.Any() {
		return NoFault
	}
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(f.Seed))
	binary.LittleEndian.PutUint64(b[8:], uint64(index))
	h.Write(b[:])
	u := float64(h.Sum64()>>11) / (1 << 53) // uniform in [0, 1)
	switch {
	case u < f.Crash:
		return Crash
	case u < f.Crash+f.Error:
		return Error
	case u < f.Crash+f.Error+f.Hang:
		return Hang
	}
	return NoFault
}

func (f Faults) String() string {
	if !f.Any() {
		return ""
	}
	return fmt.Sprintf("crash=%g,error=%g,hang=%g", f.Crash, f.Error, f.Hang)
}

// ParseFaults reads --inject: comma-separated kind=probability pairs.
func ParseFaults(s string, seed int64) (Faults, error) {
	f := Faults{Seed: seed}
	if strings.TrimSpace(s) == "" {
		return f, nil
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		p, err := strconv.ParseFloat(v, 64)
		// Written so that NaN, which compares false with everything, fails.
		if !ok || err != nil || !(p >= 0 && p <= 1) {
			return f, fmt.Errorf("--inject %q: want kind=probability pairs with probabilities in [0, 1], e.g. crash=0.05,error=0.05,hang=0.01", s)
		}
		if seen[k] {
			return f, fmt.Errorf("--inject %q: %s given twice", s, k)
		}
		seen[k] = true
		switch k {
		case "crash":
			f.Crash = p
		case "error":
			f.Error = p
		case "hang":
			f.Hang = p
		default:
			return f, fmt.Errorf("--inject %q: unknown fault %q (have crash, error, hang)", s, k)
		}
	}
	if f.Crash+f.Error+f.Hang > 1 {
		return f, fmt.Errorf("--inject %q: probabilities add up to more than 1", s)
	}
	return f, nil
}

// FaultyName is the registered name of workload name with a fault byte in
// front of its arguments.
func FaultyName(name string) string { return "faulty:" + name }

// FaultyArgs prefixes args with a fault.
func FaultyArgs(f Fault, args []byte) []byte { return append([]byte{byte(f)}, args...) }

// ErrInjected is the error an Error fault returns.
var ErrInjected = errors.New("injected task error")

// inProcess is set by strategies that run tasks in their own process, where
// a crash must not take the whole trial down.
var inProcess atomic.Bool

// SetInProcess tells faulty workloads whether a crash may end the process.
func SetInProcess(v bool) { inProcess.Store(v) }

func faulty(name string, run Func) Func {
	return func(args []byte) ([]byte, error) {
		if len(args) == 0 {
			return nil, fmt.Errorf("workloads: %s: missing fault byte", FaultyName(name))
		}
		switch Fault(args[0]) {
		case Crash:
			if inProcess.Load() {
				panic("injected crash")
			}
			os.Exit(3)
		case Error:
			return nil, ErrInjected
		case Hang:
			time.Sleep(24 * time.Hour)
		}
		return run(args[1:])
	}
}

// registerFaulty registers the faulty twin of every built-in workload.
func registerFaulty() {
	for _, name := range Names() {
		w, _ := Lookup(name)
		if err := RegisterFunc(FaultyName(name), faulty(name, w.Run)); err != nil {
			panic(err)
		}
	}
}
