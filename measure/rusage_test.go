//go:build linux

package measure

import (
	"strconv"
	"testing"
)

// TestRusageIncludesGrandchild checks that wait4's usage of a child includes
// the CPU of a grandchild the child reaped: the child's total must exceed
// its own CPU by what the grandchild burned.
func TestRusageIncludesGrandchild(t *testing.T) {
	const burn = 0.3
	c := startChild(t, "reaper", burnEnv+"="+strconv.Itoa(int(burn*1000)))
	c.send("go")
	self, err := strconv.ParseFloat(c.expect("ready"), 64)
	if err != nil {
		t.Fatal(err)
	}
	u := Rusage(c.finish())
	total := u.UserSeconds + u.SystemSeconds
	t.Logf("child's own CPU %.3fs, rusage %+v", self, u)
	if total < self+burn-0.01 {
		t.Errorf("rusage CPU %.3fs, want at least the child's own %.3fs plus the grandchild's %.3fs", total, self, burn)
	}
	if u.MaxRSSBytes < 1<<20 || u.MaxRSSBytes > 1<<32 {
		t.Errorf("MaxRSSBytes %d: not a Go program's size in bytes (KiB not converted?)", u.MaxRSSBytes)
	}
	if u.VoluntaryCtxSwitches <= 0 {
		t.Errorf("no voluntary context switches from a process that waited on a pipe")
	}
}

func TestRusageNil(t *testing.T) {
	if got := Rusage(nil); got != (Usage{}) {
		t.Errorf("Rusage(nil) = %+v, want zero", got)
	}
}
