package pyref

import (
	"time"

	"golang.org/x/sys/unix"
)

// onOwnClock is the time on this process's clock of a reading of the
// machine's monotonic clock (CLOCK_MONOTONIC, seconds) that the script
// took: both processes read the same clock, so the span the script
// reports, and each task's done time within it, land on this side exactly,
// however late their record arrives. Without a reading (nil), or with one
// that cannot be from before now, it is now: when the record arrived.
func onOwnClock(script *float64) time.Time {
	now := time.Now()
	var ts unix.Timespec
	if script == nil || unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return now
	}
	ago := time.Duration(ts.Nano()) - time.Duration(*script*float64(time.Second))
	if ago < 0 {
		return now
	}
	return now.Add(-ago)
}
