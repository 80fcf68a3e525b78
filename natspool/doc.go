// Package natspool is procpool's Pool over NATS: the same Apply, ApplyAsync
// (callbacks in the owner, one at a time), Map, Imap, ImapUnordered, Close,
// Join and Terminate, with the same sentinel errors, running functions
// registered in the same registry, on worker processes that may live on
// other hosts.
//
// By default the pool's owner starts a NATS server inside its own process
// on a random loopback port (nothing to install) and local worker processes
// connect to it: this executable re-executed (it must call
// procpool.ServeRole first thing), or, with Command, a worker binary that
// imports only the worker side, package natsworker, and starts faster for
// not carrying the server. Listen makes that server reachable from other
// hosts, whose workers join with Serve (poolbench worker --connect); URL
// uses an existing server instead.
//
// # Design
//
// The owner keeps every task's state and sends each task straight to a
// worker with a free slot, over core NATS subjects of the pool's own
// (poolbench.natspool.<pool id>.*): a task message to the worker's subject,
// a result message back, nothing else per task. A worker's result is its
// request for more, so a worker pulls only when it has room: long tasks go
// only to idle workers, and tasks shorter than about a millisecond are
// pipelined a few at a time to hide the trip through the server.
//
// A JetStream work queue was the other design: it would store every task
// in a stream and have the server, not the owner, hand it out. It costs a
// store and an acknowledgement per task, and its redelivery is driven by
// AckWait, so a dead worker's task waits out that timer; and since results,
// ordered Map and callbacks live in the owner anyway, the stream would
// outlive the only process that can use it. Here the owner sees a local
// worker die at once (its exit status), a remote one by its missing
// heartbeats (the InProgress of this design, sent every Heartbeat with the
// running task), and redelivers its tasks to others up to MaxDeliver times,
// then fails them with a WorkerLostError naming the worker (host/pid).
// A lost worker is replaced: a local one by the pool, one a host started
// (ServeHost) by that host, which the pool asks for another in its place.
// Never a hang: a task is always held by a live worker, queued, or failed.
// A worker that sends a result the owner cannot read fails that task
// (procpool.ErrProtocol) and is given up on as a lost one is.
//
// A worker runs one task at a time, so a pool's parallelism is its worker
// processes: workers, local and a host's, start with GOMAXPROCS=1 unless
// their environment sets it (Env("GOMAXPROCS=n") for a task that wants
// more of its host's CPUs), which spares each message the runtime threads
// that wake to look for work on idle Ps.
//
// Workers exit when the owner tells them (Close, Terminate), when the
// owner falls silent (it was killed) or when their connection closes; local
// workers also die with the owner's process (a parent-death signal). So an
// external server that restarts costs the pool its workers, not its tasks:
// the owner reconnects, starts fresh local workers and redelivers, or,
// after ServerGrace, fails what is left with ErrServerLost.
//
// The typed form and chunks are procpool's: workers run tasks with
// procpool.Run, so a function made once with procpool.Func, and a
// ChunkSize chunk, runs in either pool.
//
// Execution is at least once: a worker lost after running a task but before
// its result arrived has that task run again elsewhere; its late result,
// if it comes, is dropped.
package natspool
