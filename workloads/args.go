package workloads

import (
	"encoding/binary"
	"fmt"
)

func putUint64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }

// decodeArgs reads the (size, index) pair written by Args.
func decodeArgs(name string, args []byte) (size, index uint64, err error) {
	if len(args) != 16 {
		return 0, 0, fmt.Errorf("workloads: %s: want 16 bytes of arguments, got %d", name, len(args))
	}
	return binary.LittleEndian.Uint64(args[:8]), binary.LittleEndian.Uint64(args[8:]), nil
}
