// Package pyref runs CPython's own strategies (threads, one
// multiprocessing.Process per task, multiprocessing.Pool through apply,
// apply_async and map) with the system's python3, so that poolbench can
// measure the article's real system beside its Go analogues.
//
// The Python side is one standard-library script, pyref.py, embedded in the
// binary and run as `python3 -I`; it reads its Job on stdin and streams
// records (tasks, spawns, callback pids) back over a pipe. The interpreter
// and every process it starts share one process group, which Run kills on
// every way out, so that nothing outlives it: not even a CPython Pool that
// hangs forever on a worker that died mid-task (python/cpython gh-66587),
// which Run ends once no task has finished for Job.Stall and reports as
// tasks of kind "hung".
package pyref
