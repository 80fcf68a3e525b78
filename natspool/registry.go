package natspool

import (
	"fmt"

	"github.com/poolbench/poolbench/workloads"
)

// lookup finds the function a task names. It is the one place the worker
// side reaches the registry, shared with the local process pool, so that a
// function registered once runs in either pool.
func lookup(name string) (workloads.Func, error) { return workloads.LookupFunc(name) }

// runTask runs a registered function, turning a panic into an error so that
// one bad task does not cost the worker.
func runTask(name string, args []byte) (value []byte, err error) {
	fn, err := lookup(name)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			value, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(args)
}
