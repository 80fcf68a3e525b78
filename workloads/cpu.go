package workloads

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// CPUName is the name of the compute-bound workload.
const CPUName = "cpu"

// cpu is a SHA-256 chain: each round hashes the previous digest. It cannot be
// vectorised, skipped or cached, and its final digest is a checksum that lets
// the harness check that every strategy really did the same work. Each task
// runs at its own place in a stack page (stack_offset.go), so that no
// strategy's figures turn on where its goroutines' stacks happen to fall.
func cpu(args []byte) ([]byte, error) {
	rounds, index, err := decodeArgs(CPUName, args)
	if err != nil {
		return nil, err
	}
	var sum [sha256.Size]byte
	onStackAt(stackOffset(index), func(uintptr) { sum = sha256Chain(index, rounds) })
	return sum[:], nil
}

// sha256Chain hashes task index's seed, then the digest, rounds times.
func sha256Chain(index, rounds uint64) [sha256.Size]byte {
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], index)
	h := sha256.Sum256(seed[:])
	for range rounds {
		h = sha256.Sum256(h[:])
	}
	return h
}

// parseRounds reads a round count: a whole number with an optional k or m
// suffix ("300k" is 300000).
func parseRounds(s string) (uint64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := uint64(1)
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1000, strings.TrimSuffix(t, "k")
	case strings.HasSuffix(t, "m"):
		mult, t = 1000_000, strings.TrimSuffix(t, "m")
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n == 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("cpu task size %q: want a positive round count such as 300000 or 300k", s)
	}
	return n * mult, nil
}

func init() {
	mustRegisterBuiltIn(Workload{
		Name: CPUName,
		Doc:  "compute-bound: a SHA-256 chain of N rounds per task (--task-size rounds, e.g. 100k); returns a checksum",
		// About 8 ms per task on a current x86 core with SHA extensions:
		// long against a process start (about 1 ms), short enough that the
		// default run of every strategy takes well under half a minute.
		DefaultSize: "100k",
		ParseSize:   parseRounds,
		Run:         cpu,
		Bound:       BoundCPU,
		Python:      true,
	})
}
