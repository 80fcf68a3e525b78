package procpool

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"
)

// What a program that lists and calls registered functions by name (a
// command line, a file of arguments) needs to know of them.

// typedInfo is what Func and FuncWith keep of a typed function besides its
// raw form: its signature, and how a JSON value becomes its argument.
type typedInfo struct {
	signature string
	fromJSON  func(js []byte) ([]byte, error)
}

var typed struct {
	mu    sync.RWMutex
	funcs map[string]typedInfo
}

// describeTyped records what ArgsFromJSON and Signature say of the typed
// function registered under name.
func describeTyped[In, Out any](name string, codec Codec) {
	info := typedInfo{
		signature: fmt.Sprintf("func(%v) (%v, error)", reflect.TypeFor[In](), reflect.TypeFor[Out]()),
		fromJSON: func(js []byte) ([]byte, error) {
			var in In
			if err := json.Unmarshal(js, &in); err != nil {
				return nil, err
			}
			return codec.Marshal(in)
		},
	}
	typed.mu.Lock()
	defer typed.mu.Unlock()
	if typed.funcs == nil {
		typed.funcs = map[string]typedInfo{}
	}
	typed.funcs[name] = info
}

func typedFunc(name string) (typedInfo, bool) {
	typed.mu.RLock()
	defer typed.mu.RUnlock()
	info, ok := typed.funcs[name]
	return info, ok
}

// Names lists the names of the registered functions, sorted.
func Names() []string {
	registry.mu.RLock()
	names := make([]string, 0, len(registry.funcs))
	for n := range registry.funcs {
		names = append(names, n)
	}
	registry.mu.RUnlock()
	sort.Strings(names)
	return names
}

// Signature is the Go signature of the function registered under name:
// func(In) (Out, error) for a typed one (Func, FuncWith), func([]byte)
// ([]byte, error) for a raw one.
func Signature(name string) (string, error) {
	if _, err := Lookup(name); err != nil {
		return "", err
	}
	if info, ok := typedFunc(name); ok {
		return info.signature, nil
	}
	return "func([]byte) ([]byte, error)", nil
}

// ArgsFromJSON turns one JSON value, as a command line or a file of
// arguments gives it, into the arguments of a task of the function
// registered under name: for a typed function, the value is decoded into
// its argument type and encoded with its codec; a raw function gets the
// JSON text itself, to decode as it likes.
func ArgsFromJSON(name string, js []byte) ([]byte, error) {
	if _, err := Lookup(name); err != nil {
		return nil, err
	}
	if info, ok := typedFunc(name); ok {
		args, err := info.fromJSON(js)
		if err != nil {
			return nil, fmt.Errorf("procpool: argument of %s: %w", name, err)
		}
		return args, nil
	}
	if !json.Valid(js) {
		return nil, fmt.Errorf("procpool: argument of %s: not a JSON value", name)
	}
	return bytes.Clone(js), nil
}
