package procpool

import (
	"errors"
	"fmt"
	"sync"
)

// RawFunc is a function a worker runs by name: it decodes its arguments
// and encodes its result itself. args is valid only during the call (it is
// the worker's frame buffer): copy what the function keeps. The result may
// be written over args and returned from there: the worker sends it before
// it reads the next task.
type RawFunc func(args []byte) ([]byte, error)

var registry struct {
	mu    sync.RWMutex
	funcs map[string]RawFunc
}

// Register adds fn under name for workers to run, as Python pickles a
// function by reference: a task carries the name, and the worker (the same
// executable) finds the function it registered under it. Register in every
// process alike, at package initialisation, so that the names resolve in
// the workers. Names are unique.
func Register(name string, fn RawFunc) error {
	if name == "" || fn == nil {
		return errors.New("procpool: register: needs a name and a func")
	}
	if name == chunkFunc {
		return fmt.Errorf("procpool: register %q: the name is the pool's own", name)
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := registry.funcs[name]; dup {
		return fmt.Errorf("procpool: register %q: already registered", name)
	}
	if registry.funcs == nil {
		registry.funcs = map[string]RawFunc{}
	}
	registry.funcs[name] = fn
	return nil
}

// MustRegister is Register for package initialisation: a duplicate name is a
// programming error, and it panics.
func MustRegister(name string, fn RawFunc) {
	if err := Register(name, fn); err != nil {
		panic(err)
	}
}

// Lookup returns the function registered under name.
func Lookup(name string) (RawFunc, error) {
	registry.mu.RLock()
	fn, ok := registry.funcs[name]
	registry.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownFunc, name)
	}
	return fn, nil
}
