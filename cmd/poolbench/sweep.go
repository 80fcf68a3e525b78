package main

import "github.com/spf13/cobra"

func newSweepCmd() *cobra.Command {
	return &cobra.Command{Use: "sweep", Hidden: true, RunE: func(*cobra.Command, []string) error { return usagef("sweep: not available in this build") }}
}
