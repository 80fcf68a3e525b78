package harness

import (
	"runtime"
	"sync"
)

// trialThreads is how many OS threads a trial that starts processes has
// ready before it starts any. `ulimit -u` counts threads, and the workers
// a trial starts use them up too: a Go program that cannot create a thread
// when it needs one aborts with a runtime dump, so the trial creates its
// threads first, while it still can, and a start failing at the limit
// later is an error the trial reports (startFailure). A trial starting 250
// processes at once peaked at 9 threads.
const trialThreads = 16

// reserveThreads has the runtime create n OS threads now and keep them:
// each of n goroutines holds a thread of its own until all have one, then
// lets it go. The runtime never ends an idle thread, so later needs are
// met from these instead of from the kernel.
func reserveThreads(n int) {
	var held, release sync.WaitGroup
	held.Add(n)
	release.Add(1)
	var done sync.WaitGroup
	for range n {
		done.Go(func() {
			runtime.LockOSThread()
			held.Done()
			release.Wait()
			runtime.UnlockOSThread()
		})
	}
	held.Wait()
	release.Done()
	done.Wait()
}
