// Command poolbench-natsworker is the NATS pool worker of poolbench, and
// only that: poolbench-worker's process pool worker and the built-in
// workloads, plus natspool's worker side (natsworker, nats.go), and none of
// the embedded server's code or the harness. nats.go and what it links
// (net/http, crypto/tls) take about as long again to start as the rest of
// poolbench-worker, so the process pool's workers do without them: this
// binary is the NATS pools' own. `make build` builds it beside poolbench
// with the same build stamp; poolbench starts its NATS pools' local
// workers from it when the stamps match, and re-executes itself otherwise.
package main

import (
	"fmt"
	"os"

	"github.com/poolbench/poolbench/internal/buildstamp"
	_ "github.com/poolbench/poolbench/natspool/natsworker" // the NATS worker role
	"github.com/poolbench/poolbench/procpool"
	_ "github.com/poolbench/poolbench/workloads" // the built-in workloads register themselves
)

func main() {
	served, err := procpool.ServeRole()
	if !served {
		fmt.Fprintf(os.Stderr, "poolbench-natsworker: the NATS pool worker of poolbench (build %q): poolbench starts it; it is not run by hand\n", buildstamp.Stamp)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "poolbench-natsworker:", err)
		os.Exit(1)
	}
}
