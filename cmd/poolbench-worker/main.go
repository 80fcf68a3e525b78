// Command poolbench-worker is the process pool worker of poolbench, and only
// that: it links the pool and the built-in workloads and nothing of the
// harness, so that it starts about as fast as an empty Go program, where
// poolbench itself pays for every package it links at each start.
// `make build` builds it beside poolbench with the same build stamp;
// poolbench starts its pools' workers from it when the stamps match, and
// re-executes itself otherwise.
package main

import (
	"fmt"
	"os"

	"github.com/poolbench/poolbench/internal/buildstamp"
	"github.com/poolbench/poolbench/procpool"
	_ "github.com/poolbench/poolbench/workloads" // the built-in workloads register themselves
)

func main() {
	served, err := procpool.ServeRole()
	if !served {
		fmt.Fprintf(os.Stderr, "poolbench-worker: the pool worker of poolbench (build %q): poolbench starts it; it is not run by hand\n", buildstamp.Stamp)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "poolbench-worker:", err)
		os.Exit(1)
	}
}
