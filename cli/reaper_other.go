//go:build !linux

package cli

// Elsewhere there is no subreaper: orphans go to init, as they always did.
func becomeSubreaper() {}

func reapOrphans() {}
