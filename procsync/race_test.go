package procsync

import (
	"context"
	"path/filepath"
	"testing"
)

// Data handed from one goroutine to another under two Lock values on one
// file is ordered by the flock, which the race detector cannot see; Release
// and Acquire add the edge it needs. Under -race, without that edge, this
// test fails with a reported race.
func TestRaceDetectorSeesTheLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	a, b := newLock(t, path), newLock(t, path)
	ctx := context.Background()
	shared := 0
	done := make(chan struct{})
	for _, l := range []*Lock{a, b} {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 100 {
				if err := l.Acquire(ctx); err != nil {
					t.Error(err)
					return
				}
				shared++
				if err := l.Release(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	<-done
	<-done
	if shared != 200 {
		t.Errorf("shared = %d, want 200", shared)
	}
}
