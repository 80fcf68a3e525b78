// Package harness turns a plan (workloads x strategies x repeats) into a
// results.Run. Every trial runs in a fresh poolbench process, as pyperf
// does, so one strategy's heap, threads and children never pollute another's
// figures; the parent samples that process's whole tree and reads its rusage
// when it exits.
//
// A program using the harness must call procpool.ServeRole first thing in
// main, so that a re-executed copy runs its trial (the harness registers the
// trial role) or serves its pool.
package harness
