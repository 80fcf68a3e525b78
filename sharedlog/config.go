package sharedlog

import (
	"fmt"
	"os"
	"path/filepath"
)

// Config sets the size of a shared-logging run. Zero fields take the
// defaults below, so the zero Config is the default run; negative ones are
// errors.
type Config struct {
	// Dir is the folder for the log file, <mode>.log, and the locked mode's
	// lock file, <mode>.lock; both are kept for inspection. Empty means a
	// temporary folder, removed after the run.
	Dir string
	// Writers is the number of writer processes or goroutines (default 10,
	// the article's pool).
	Writers int
	// Records is the number of records each writer writes (default 1000).
	Records int
	// Sizes is the range of payload sizes (default DefaultSizes).
	Sizes Sizes
	// BufferSize is the unlocked writers' buffer in bytes (default 4096).
	BufferSize int
}

// Defaults of Config's zero fields. With them the unlocked modes damage the
// file on a 2-core machine in every run observed; see the package tests'
// benchmarks for the figures on yours.
const (
	DefaultWriters    = 10
	DefaultRecords    = 1000
	DefaultBufferSize = 4096
)

// withDefaults validates c and returns it with its zero fields filled.
func (c Config) withDefaults() (Config, error) {
	if c.Writers < 0 || c.Records < 0 || c.BufferSize < 0 {
		return c, fmt.Errorf("sharedlog: config: writers %d, records %d, buffer %d: must be positive",
			c.Writers, c.Records, c.BufferSize)
	}
	if c.Writers == 0 {
		c.Writers = DefaultWriters
	}
	if c.Records == 0 {
		c.Records = DefaultRecords
	}
	if c.BufferSize == 0 {
		c.BufferSize = DefaultBufferSize
	}
	if c.Sizes == (Sizes{}) {
		c.Sizes = DefaultSizes
	}
	if c.Sizes.Min < 1 || c.Sizes.Min > c.Sizes.Max || c.Sizes.Max > MaxRecordSize {
		return c, fmt.Errorf("sharedlog: config: sizes %d..%d: need 1 <= min <= max <= %d", c.Sizes.Min, c.Sizes.Max, MaxRecordSize)
	}
	if c.Records > maxExpected/c.Writers {
		return c, fmt.Errorf("sharedlog: config: %d writers x %d records: %w (max %d)", c.Writers, c.Records, ErrTooMany, maxExpected)
	}
	return c, nil
}

// prepare makes the run's folder ready and checks that it is writable. It
// returns the folder and a cleanup that removes it if it was temporary.
func (c Config) prepare() (dir string, cleanup func(), err error) {
	if c.Dir == "" {
		dir, err := os.MkdirTemp("", "poolbench-sharedlog-")
		if err != nil {
			return "", nil, fmt.Errorf("sharedlog: log folder: %w", err)
		}
		return dir, func() { os.RemoveAll(dir) }, nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("sharedlog: log folder: %w", err)
	}
	probe, err := os.CreateTemp(c.Dir, ".probe-*")
	if err != nil {
		return "", nil, fmt.Errorf("sharedlog: log folder %s is not writable: %w", c.Dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return c.Dir, func() {}, nil
}

// paths returns the log and lock files of mode in dir.
func paths(dir string, mode Mode) (logPath, lockPath string) {
	return filepath.Join(dir, string(mode)+".log"), filepath.Join(dir, string(mode)+".lock")
}
