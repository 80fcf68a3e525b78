package workloads

import (
	"encoding/binary"
	"fmt"
)

// AllocName is the name of the allocation-heavy workload.
const AllocName = "alloc"

// allocObject is one small heap object: 64 bytes, a size class of its own.
type allocObject struct {
	tag  uint64
	fill [56]byte
}

// allocLive is how many objects a task keeps reachable at once: enough that
// they escape to the heap and die young, as a parser's or a handler's do.
const allocLive = 256

// alloc allocates the task size in 64-byte objects, writes each one, and
// drops it once allocLive newer ones exist. Object j of task index carries
// the tag (index << 32) | j; the result is the sum of the tags read back
// from the objects (mod 2^64), as 8 little-endian bytes, which is
// sum_{j<n} ((index << 32) + j) for n = size/64 objects.
func alloc(args []byte) ([]byte, error) {
	size, index, err := decodeArgs(AllocName, args)
	if err != nil {
		return nil, err
	}
	n := size / 64
	var live [allocLive]*allocObject
	var sum uint64
	for j := range n {
		o := &allocObject{tag: index<<32 | j}
		o.fill[0], o.fill[55] = byte(j), byte(j) // touch both ends of it
		slot := &live[j%allocLive]
		if *slot != nil {
			sum += (*slot).tag
		}
		*slot = o
	}
	for _, o := range live {
		if o != nil {
			sum += o.tag
		}
	}
	v := make([]byte, 8)
	binary.LittleEndian.PutUint64(v, sum)
	return v, nil
}

func parseAllocSize(s string) (uint64, error) {
	n, err := ParseBytes(s)
	if err != nil || n < 64 {
		return 0, fmt.Errorf("alloc task size %q: want at least 64 bytes, such as 16MiB", s)
	}
	return n, nil
}

func init() {
	mustRegisterBuiltIn(Workload{
		Name:        AllocName,
		Doc:         "GC pressure: each task allocates --task-size bytes in 64-byte objects and drops them (e.g. 16MiB)",
		DefaultSize: "16MiB",
		ParseSize:   parseAllocSize,
		Run:         alloc,
		Bound:       BoundCPU,
		Python:      true,
		OptIn:       true,
	})
}
