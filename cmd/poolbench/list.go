package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
	"github.com/spf13/cobra"
)

func newListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the strategies and workloads, one line each",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, s := range strategies.All() {
				fmt.Fprintf(w, "strategy\t%s\t%s\n", s.Name(), s.Doc())
			}
			for _, name := range workloads.Names() {
				wl, _ := workloads.Lookup(name)
				fmt.Fprintf(w, "workload\t%s\t%s (default size %s)\n", wl.Name, wl.Doc, wl.DefaultSize)
			}
			return w.Flush()
		},
	}
}
