// Package procpool is a pool of worker processes with the semantics of
// Python's multiprocessing.Pool: Apply, ApplyAsync with callbacks that run in
// the parent one at a time, Map and Imap, Close, Join and Terminate.
//
// A worker is a real OS process: the current executable re-executed in worker
// mode. A program that uses a Pool must call ServeIfWorker first thing in
// main (and a test binary in TestMain), so that the re-executed copy serves
// tasks instead of running the program again. Tasks name a function
// registered in package workloads and carry its arguments as bytes, as Python
// pickles a function by reference.
//
// Where Python's pool fails badly, this one does not: a worker that dies
// mid-task fails that one task with an error naming the worker's pid and exit
// status, a replacement is started, and the pool goes on (CPython's Pool
// hangs forever, gh-66587); a callback that panics is recovered and reported
// and result delivery goes on (gh-83371).
//
// Workers are started with a parent-death signal, so they die with the pool's
// process, and every exit path waits for them: no zombies, no orphans.
package procpool
