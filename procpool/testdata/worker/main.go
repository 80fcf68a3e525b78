// Command worker is a lean pool worker for procpool's benchmarks: a
// program that imports procpool alone, as a program whose own binary is
// heavy would build its workers (procpool.Command). It registers the
// test binary's noop and sleep functions under the same names, so that a
// pool started with it runs the benchmarks' tasks too. It lives under
// testdata so that `go test ./...` leaves it alone; the benchmarks build
// it.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"github.com/poolbench/poolbench/procpool"
)

func init() {
	procpool.MustRegister("test.noop", func([]byte) ([]byte, error) { return nil, nil })
	procpool.MustRegister("test.sleep", func(a []byte) ([]byte, error) {
		time.Sleep(time.Duration(binary.LittleEndian.Uint64(a)))
		return a, nil
	})
}

func main() {
	served, err := procpool.ServeRole()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !served {
		fmt.Fprintln(os.Stderr, "worker: a procpool worker, started by a pool")
		os.Exit(2)
	}
}
