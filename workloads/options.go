package workloads

import (
	"fmt"
	"strconv"
	"strings"
)

// Options are the run-wide settings some workloads read besides the task
// size. Each workload's TaskArgs takes what it needs when it builds a task,
// so a worker process only ever sees a task's own argument buffer. They
// travel to trial processes as JSON.
type Options struct {
	// Seed makes the seeded workloads (payload's bytes, skewed's task
	// lengths) reproducible: the same seed, the same tasks, in every
	// strategy.
	Seed int64 `json:"seed,omitempty"`
	// PayloadIn and PayloadOut are the bytes a payload task receives and
	// returns; 0 means DefaultPayload.
	PayloadIn  uint64 `json:"payload_in,omitempty"`
	PayloadOut uint64 `json:"payload_out,omitempty"`
	// Skew is the sigma of skewed's log-normal task lengths; 0 makes every
	// task the mean.
	Skew float64 `json:"skew,omitempty"`
	// Cmd is the command exec runs per task, through sh -c, or split on
	// blanks and run directly when CmdArgv is set.
	Cmd     string `json:"cmd,omitempty"`
	CmdArgv bool   `json:"cmd_argv,omitempty"`
	// ArgsFile holds a program's own function's task arguments, one JSON
	// value per line (see AddUserFuncs); task i takes line i modulo the
	// number of lines.
	ArgsFile string `json:"args_file,omitempty"`
}

// splitmix64 is one step of the SplitMix64 generator (Steele, Lea and
// Flood): a bijective mix of z + 0x9E3779B97F4A7C15, all arithmetic
// modulo 2^64. The seeded workloads draw from it because it is a few lines
// in any language, so the CPython twins reproduce Go's tasks exactly.
func splitmix64(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// ParseBytes reads a byte count: a whole number with an optional unit, B,
// KiB, MiB, GiB (powers of 1024) or kB, MB, GB (powers of 1000), case-blind
// ("64KiB", "1MiB", "1000").
func ParseBytes(s string) (uint64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mult   uint64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1000}, {"mb", 1000_000}, {"gb", 1000_000_000}, {"k", 1 << 10}, {"m", 1 << 20}, {"b", 1}}
	mult := uint64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			mult, t = u.mult, strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			break
		}
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n > (1<<40)/mult {
		return 0, fmt.Errorf("byte size %q: want a whole number with an optional unit, such as 4096, 64KiB or 1MiB", s)
	}
	return n * mult, nil
}
