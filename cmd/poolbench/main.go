// Command poolbench measures concurrency strategies (serial, goroutines,
// a process per task, a process pool used through apply, apply_async and
// map) on CPU-bound, I/O-bound and empty workloads, and reports what each
// really costs.
package main

import "github.com/poolbench/poolbench/cli"

func main() { cli.Main() }
