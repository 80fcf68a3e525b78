package main

import "github.com/spf13/cobra"

func newLogCmd() *cobra.Command {
	return &cobra.Command{Use: "log", Hidden: true, RunE: func(*cobra.Command, []string) error { return usagef("log: not available in this build") }}
}
