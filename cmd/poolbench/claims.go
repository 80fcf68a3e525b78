package main

import "github.com/spf13/cobra"

func newClaimsCmd() *cobra.Command {
	return &cobra.Command{Use: "claims", Hidden: true, RunE: func(*cobra.Command, []string) error { return usagef("claims: not available in this build") }}
}
