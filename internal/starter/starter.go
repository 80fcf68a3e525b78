// Package starter starts child processes from OS threads that outlive
// them, for children that must die with their parent.
//
// A parent-death signal (Pdeathsig) fires when the OS thread that started
// the child exits, not the process: Go ends a thread when a goroutine
// locked to it returns, so a worker started from such a goroutine (or from
// any thread the runtime later hands to one) could die under a live pool.
// Every such child is therefore started from one of a few threads (one per
// usable CPU, so that many pools starting at once are not serialised on
// one) that the starter goroutines hold locked for as long as any Lease is
// held, and unlock (never exit) when the last one is released.
package starter

import (
	"os/exec"
	"runtime"
	"sync"
)

var state struct {
	mu    sync.Mutex
	users int
	reqs  chan func()
}

// A Lease keeps the starter threads locked until it is released. Hold one
// for as long as any process started through it may still be alive.
type Lease struct {
	reqs chan<- func()
	once sync.Once
}

// Acquire takes a lease, starting the starter threads if none is held.
func Acquire() *Lease {
	state.mu.Lock()
	defer state.mu.Unlock()
	state.users++
	if state.users == 1 {
		state.reqs = make(chan func())
		for range runtime.GOMAXPROCS(0) {
			go loop(state.reqs)
		}
	}
	return &Lease{reqs: state.reqs}
}

// Release gives the lease back; the threads are let go with the last one.
// Only the first call counts.
func (l *Lease) Release() {
	l.once.Do(func() {
		state.mu.Lock()
		defer state.mu.Unlock()
		state.users--
		if state.users == 0 {
			close(state.reqs)
			state.reqs = nil
		}
	})
}

// Run runs fn (a process start, and what must happen with it) on a
// starter thread and waits for it. It must not be called after Release.
func (l *Lease) Run(fn func()) {
	done := make(chan struct{})
	l.reqs <- func() { fn(); close(done) }
	<-done
}

// Start starts cmd on a starter thread.
func (l *Lease) Start(cmd *exec.Cmd) error {
	var err error
	l.Run(func() { err = cmd.Start() })
	return err
}

func loop(reqs <-chan func()) {
	runtime.LockOSThread()
	// Unlocked, the thread goes back to the runtime rather than exiting
	// with this goroutine; no process it started is still alive by then.
	defer runtime.UnlockOSThread()
	for fn := range reqs {
		fn()
	}
}
