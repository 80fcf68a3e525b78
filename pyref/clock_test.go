package pyref

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// onOwnClock places a reading of CLOCK_MONOTONIC on this process's clock:
// a reading taken d ago lands d before now, within what the test's own
// steps take; no reading, or one from the future, is now.
func TestOnOwnClock(t *testing.T) {
	mono := func() float64 {
		var ts unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
			t.Fatal(err)
		}
		return float64(ts.Nano()) / 1e9
	}
	const ago = 250 * time.Millisecond
	tests := []struct {
		name         string
		reading      func() *float64
		earliest     time.Duration // before the call, how long ago at most
		latestBefore time.Duration // the result is at least this long before the call's end
	}{
		{"none", func() *float64 { return nil }, 0, 0},
		{"future", func() *float64 { v := mono() + 3600; return &v }, 0, 0},
		{"past", func() *float64 { v := mono() - ago.Seconds(); return &v }, ago, ago},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			r := tt.reading()
			got := onOwnClock(r)
			after := time.Now()
			if got.Before(before.Add(-tt.earliest)) || got.After(after.Add(-tt.latestBefore)) {
				t.Errorf("onOwnClock = %v; want within [%v, %v]", got, before.Add(-tt.earliest), after.Add(-tt.latestBefore))
			}
		})
	}
}
