package measure

import "errors"

// Errors returned by Start, wrapped with the pid they concern, and by
// NewCgroup.
var (
	// ErrInvalidPID is returned for a pid that cannot name a process (<= 0).
	ErrInvalidPID = errors.New("invalid pid")
	// ErrInvalidInterval is returned for a negative sampling interval.
	ErrInvalidInterval = errors.New("invalid sampling interval")
	// ErrNoProcess is returned when the process to sample does not exist.
	ErrNoProcess = errors.New("no such process")
	// ErrNoCgroup is returned by NewCgroup where no memory cgroup can be
	// made (not Linux, no memory controller, no permission), wrapped with
	// the reason.
	ErrNoCgroup = errors.New("no memory cgroup")
)
