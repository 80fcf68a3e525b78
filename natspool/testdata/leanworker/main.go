// Command leanworker is a natspool worker binary without the embedded
// server: procpool, the worker side (natsworker) and the workloads, whose
// io function BenchmarkArticle runs. The benchmark builds it and starts
// its pools' workers from it (natspool.Command).
package main

import (
	"fmt"
	"os"

	_ "github.com/poolbench/poolbench/natspool/natsworker"
	"github.com/poolbench/poolbench/procpool"
	_ "github.com/poolbench/poolbench/workloads"
)

func main() {
	served, err := procpool.ServeRole()
	if err != nil {
		fmt.Fprintln(os.Stderr, "leanworker:", err)
		os.Exit(1)
	}
	if !served {
		fmt.Fprintln(os.Stderr, "leanworker: run only as a natspool worker (procpool role)")
		os.Exit(2)
	}
}
