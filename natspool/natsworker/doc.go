// Package natsworker is the worker side of natspool: what a worker process
// runs to serve a pool over NATS (connect, say hello, run the tasks it is
// sent with procpool's registry, send results and heartbeats).
//
// It imports nats.go but not nats-server, so a worker binary made of
// procpool, this package and the user's functions starts quickly: a pool
// that starts many workers waits for the last one. Importing it registers
// the worker role (procpool.RegisterRole), so such a binary serves
// natspool's local workers (natspool.Command) and remote hosts' ones
// (natspool.HostConfig.Path) once its main calls procpool.ServeRole:
//
//	import (
//		_ "github.com/poolbench/poolbench/natspool/natsworker"
//		"github.com/poolbench/poolbench/procpool"
//	)
//
//	func main() {
//		if served, err := procpool.ServeRole(); served { ... }
//		...
//	}
package natsworker

import "errors"

// The worker's sentinel errors; natspool gives them under the same names.
var (
	// ErrNoPool is returned to a worker that finds no pool to serve.
	ErrNoPool = errors.New("natspool: no pool answered")
	// ErrPoolGone ends a worker whose pool stopped answering.
	ErrPoolGone = errors.New("natspool: the pool's owner is gone")

	// errKilled ends a worker the owner told to exit at once.
	errKilled = errors.New("natspool: told to exit")
)
