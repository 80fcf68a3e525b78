package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/poolbench/poolbench/pyref"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
	"github.com/spf13/cobra"
)

func newListCmd() *cobra.Command {
	var py pythonOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the strategies, groups, workloads and the python3 found, one line each",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, s := range strategies.All() {
				fmt.Fprintf(w, "strategy\t%s\t%s\n", s.Name(), s.Doc())
			}
			for _, g := range strategies.GroupNames() {
				names, _ := strategies.Group(g)
				fmt.Fprintf(w, "group\t%s\t%s\n", g, strings.Join(names, ","))
			}
			for _, name := range workloads.Names() {
				wl, _ := workloads.Lookup(name)
				// "0" is the size of a workload that has none to give.
				if wl.FromArgsFile || wl.DefaultSize == "0" {
					fmt.Fprintf(w, "workload\t%s\t%s\n", wl.Name, wl.Doc)
					continue
				}
				fmt.Fprintf(w, "workload\t%s\t%s (default size %s)\n", wl.Name, wl.Doc, wl.DefaultSize)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			// Apart from the table: a long path would widen its columns.
			// The probe takes a moment: a Ctrl-C meanwhile stops it (a
			// shim's helpers too) and exits 130.
			// Signals are back to their defaults before the line is
			// written: a reader gone away (| head) ends list quietly, as
			// it did the table.
			var line string
			if err := interruptibly(cmd, func(ctx context.Context) error {
				line = pythonLine(ctx, py.python)
				return nil
			}); err != nil {
				return err
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "python    %s\n", line)
			return err
		},
	}
	py.addFlags(cmd.Flags(), false)
	return cmd
}

// pythonLine says which interpreter the py-* strategies would run, or why
// none can.
func pythonLine(ctx context.Context, path string) string {
	in, err := pyref.Find(ctx, path)
	if err != nil {
		return fmt.Sprintf("none: py-* strategies unavailable: %v (--python PATH)", err)
	}
	return fmt.Sprintf("%s, Python %s, for the py-* strategies; start methods %s (default %s)",
		in.Path, in.Version, strings.Join(in.StartMethods, ", "), in.DefaultStartMethod)
}
