package main

import "github.com/spf13/cobra"

func newCompareCmd() *cobra.Command {
	return &cobra.Command{Use: "compare", Hidden: true, RunE: func(*cobra.Command, []string) error { return usagef("compare: not available in this build") }}
}
