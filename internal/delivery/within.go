package delivery

import "time"

// Within reports whether done is closed within d. It looks first without
// waiting, so that a handle already done is done however short d is: a
// select between a closed channel and a timer that has already fired
// picks one of the two at random, and GetTimeout(0) on a ready result
// would time out half the time.
func Within(done <-chan struct{}, d time.Duration) bool {
	select {
	case <-done:
		return true
	default:
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
