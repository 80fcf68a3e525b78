package natspool

import "github.com/poolbench/poolbench/procpool"

// runTask runs a registered function as procpool's workers do, with its
// code: the one registry (procpool.Register, procpool.Func, workloads),
// chunks from ChunkSize, and a panic turned into an error so that one bad
// task does not cost the worker. A function registered once runs in
// either pool.
func runTask(name string, args []byte) ([]byte, error) { return procpool.Run(name, args) }
