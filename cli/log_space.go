package cli

import (
	"fmt"
	"path/filepath"

	"github.com/poolbench/poolbench/sharedlog"
	"golang.org/x/sys/unix"
)

// recordOverhead bounds what a record adds to its payload on disk: who
// wrote it, its sequence number, its checksum, its framing.
const recordOverhead = 128

// checkLogSpace refuses a log experiment whose files could not fit in the
// free space of out (or of the folder that will hold it): each mode's file
// holds writers x records records of at most the largest size, and with
// --keep-logs every mode's file stays. It runs before the folder is made,
// so that bad input leaves nothing behind.
func checkLogSpace(out string, cfg sharedlog.Config, modes []sharedlog.Mode, keep bool) error {
	if out == "" {
		out = defaultOutRoot
	}
	dir := out
	for !exists(dir) && filepath.Dir(dir) != dir {
		dir = filepath.Dir(dir)
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil || fs.Blocks == 0 {
		return nil // cannot tell (or no disk at all, as /proc): the writes will say
	}
	free := fs.Bavail * uint64(fs.Bsize)
	perFile := uint64(cfg.Writers) * uint64(cfg.Records) * uint64(cfg.Sizes.Max+recordOverhead)
	need := perFile
	if keep {
		need *= uint64(len(modes))
	}
	if need > free {
		return usagef("--writers %d x --records %d x up to %d B: up to %s of log files, more than the %s free for %s",
			cfg.Writers, cfg.Records, cfg.Sizes.Max, bytesText(need), bytesText(free), out)
	}
	return nil
}

func bytesText(n uint64) string {
	if n < 1<<10 {
		return fmt.Sprintf("%d B", n)
	}
	x, unit := float64(n)/(1<<10), 0
	for ; x >= 1<<10 && unit < 4; unit++ {
		x /= 1 << 10
	}
	return fmt.Sprintf("%.1f %ciB", x, "KMGTP"[unit])
}
