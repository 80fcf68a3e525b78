package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/natspool"
	"github.com/spf13/cobra"
)

// newWorkerCmd serves NATS pools from this host: `poolbench run --listen`
// (or any pool on a shared server) on one machine, this on the others.
func newWorkerCmd() *cobra.Command {
	var (
		url   string
		procs int
		grace time.Duration
	)
	cmd := &cobra.Command{
		Use:   "worker --connect nats://HOST:4222 [--procs N]",
		Short: "Serve the NATS pools on a server from this host, with N worker processes each",
		Long: `worker connects to a NATS server and gives every pool it finds there N worker
processes of this host, which exit when their pool is gone. It serves until
interrupted, or until the server has been out of reach for --grace.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				return usagef("worker: --connect is required")
			}
			if err := natspool.CheckURL(url); err != nil {
				return usagef("worker: --connect %q: want a URL such as nats://10.0.0.1:4222", url)
			}
			if procs < 1 {
				return usagef("worker: --procs %d: want at least 1", procs)
			}
			// The workers start from poolbench-natsworker where it can
			// serve (it starts in a fraction of this binary's time), as a
			// run's local NATS workers do; the line says which.
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("worker: %w", err)
			}
			path, whyNot := harness.HostWorkerBinary(exe)
			if path != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "worker: workers run %s\n", path)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "worker: workers re-execute %s: %s\n", exe, whyNot)
			}
			in := watchInterrupts(cmd.Context())
			defer in.stop()
			err = natspool.ServeHost(in.ctx, natspool.HostConfig{
				URL: url, Procs: procs, Grace: grace, Path: path,
				Stdout: os.Stdout, Stderr: os.Stderr, Events: cmd.OutOrStdout(),
			})
			return in.err(err)
		},
	}
	cmd.Flags().StringVar(&url, "connect", "", "the NATS server's URL, e.g. nats://10.0.0.1:4222")
	cmd.Flags().IntVar(&procs, "procs", 2, "worker processes to give each pool")
	cmd.Flags().DurationVar(&grace, "grace", 30*time.Second, "how long the server may be out of reach before giving up")
	return cmd
}
