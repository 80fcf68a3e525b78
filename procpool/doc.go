// Package procpool is a pool of worker processes with the semantics of
// Python's multiprocessing.Pool: Apply, ApplyAsync with callbacks that run in
// the parent one at a time, Map and Imap, Close, Join and Terminate.
//
// A worker is a real OS process: the current executable re-executed in worker
// mode. A program that uses a Pool must call ServeRole (or ServeIfWorker,
// the same) first thing in main (and a test binary in TestMain), so that the
// re-executed copy serves tasks instead of running the program again. The
// same switch serves the other roles a program registers for its own
// re-executed children (RegisterRole): one environment variable, EnvRole,
// says which one a child plays. Tasks name a function
// registered with Register (raw bytes in and out) or Func (typed, gob-encoded
// by default; see Submit and MapOf) and carry its arguments, as Python
// pickles a function by reference. Register at package level, so that the
// workers, which are the same executable, know the same names.
//
// Where Python's pool fails badly, this one does not: a worker that dies
// mid-task fails that one task with an error naming the worker's pid and exit
// status, a replacement is started, and the pool goes on (CPython's Pool
// hangs forever, gh-66587); a callback that panics is recovered and reported
// and result delivery goes on (gh-83371).
//
// A task runs at most once. Each worker publishes in a page shared with the
// pool the task it runs and the last one it finished, so when it dies the
// pool fails exactly the task it was running and those whose results died
// unsent with it, and gives only the tasks it never started to another
// worker. A task's subprocesses inherit the worker's standard streams and
// environment, not its protocol descriptors.
//
// Arguments are copied when a task is submitted, so the caller may reuse
// its buffer at once; a caller that leaves them alone until the result is in
// says so with LendArgs, and the pool sends them from where they lie. A
// caller done with a large result may Recycle it, and a later result is
// read into that memory. In the worker, a function's args are valid only
// during the call: copy what it keeps (an initializer's args are its own).
//
// Workers are started with a parent-death signal, from long-lived threads,
// so they die with the pool's process and only then, and every exit path
// waits for them: no zombies, no orphans.
//
// Built with -race, a worker is a race-enabled program, which sleeps a
// second as it exits (the race detector's atexit_sleep_ms), so Join takes
// that second; GORACE=atexit_sleep_ms=0 in the environment spares it.
package procpool
