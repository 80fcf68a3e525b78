//go:build !linux

package measure

import (
	"fmt"
	"os/exec"
	"runtime"
)

// Cgroup is a memory cgroup made for one process tree; only Linux has them.
type Cgroup struct{}

// NewCgroup fails outside Linux.
func NewCgroup() (*Cgroup, error) {
	return nil, fmt.Errorf("%w: %s has no cgroups", ErrNoCgroup, runtime.GOOS)
}

// Version is 0: there is no group.
func (c *Cgroup) Version() int { return 0 }

// Start starts cmd.
func (c *Cgroup) Start(cmd *exec.Cmd) error { return cmd.Start() }

// PeakBytes fails outside Linux.
func (c *Cgroup) PeakBytes() (uint64, error) { return 0, ErrNoCgroup }

// Close does nothing.
func (c *Cgroup) Close() error { return nil }
