package workloads

import (
	"fmt"
	"time"
)

// IOName is the name of the latency-bound workload.
const IOName = "io"

// io blocks for the task size without using the CPU, as the article's
// time.sleep does; it stands for a network call or a disk read.
func io(args []byte) ([]byte, error) {
	d, _, err := decodeArgs(IOName, args)
	if err != nil {
		return nil, err
	}
	time.Sleep(time.Duration(d))
	return nil, nil
}

func parseDuration(s string) (uint64, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("io task size %q: want a positive duration such as 100ms", s)
	}
	return uint64(d), nil
}

func init() {
	mustRegisterBuiltIn(Workload{
		Name:        IOName,
		Doc:         "latency-bound: each task sleeps for the task size (--task-size duration, e.g. 50ms)",
		DefaultSize: "50ms",
		ParseSize:   parseDuration,
		Run:         io,
		Bound:       BoundLatency,
		Python:      true,
	})
}
