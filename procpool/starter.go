package procpool

import (
	"runtime"
	"sync"
)

// A worker's parent-death signal fires when the OS thread that started it
// exits, not the process: Go ends a thread when a goroutine locked to it
// returns, so a worker started from such a goroutine (or from any thread
// the runtime later hands to one) could die under a live pool. Every worker
// is therefore started from one of a few threads (one per usable CPU, so
// that many pools starting at once are not serialised on one) that the
// starter goroutines hold locked for as long as any pool is alive, and
// unlock (never exit) when the last one ends.
var starter struct {
	mu    sync.Mutex
	users int
	reqs  chan func()
}

// acquireStarter registers a pool and returns the channel its starts go to.
func acquireStarter() chan<- func() {
	starter.mu.Lock()
	defer starter.mu.Unlock()
	starter.users++
	if starter.users == 1 {
		starter.reqs = make(chan func())
		for range runtime.GOMAXPROCS(0) {
			go startLoop(starter.reqs)
		}
	}
	return starter.reqs
}

// releaseStarter unregisters a pool whose workers have all been reaped.
func releaseStarter() {
	starter.mu.Lock()
	defer starter.mu.Unlock()
	starter.users--
	if starter.users == 0 {
		close(starter.reqs)
		starter.reqs = nil
	}
}

func startLoop(reqs <-chan func()) {
	runtime.LockOSThread()
	// Unlocked, the thread goes back to the runtime rather than exiting
	// with this goroutine; no worker it started is still alive by then.
	defer runtime.UnlockOSThread()
	for fn := range reqs {
		fn()
	}
}

// onStarter runs fn on a starter thread and waits for it.
func onStarter(reqs chan<- func(), fn func()) {
	done := make(chan struct{})
	reqs <- func() { fn(); close(done) }
	<-done
}
