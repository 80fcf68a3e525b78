package natspool

import (
	"context"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/natspool/natsworker"
)

// Serve runs tasks for the pool poolID through nc until the pool tells the
// worker to stop or to exit (nil: it closed, it was terminated, or it gave
// up on this worker, a task past its TaskTimeout), the pool falls silent
// (ErrPoolGone) or ctx ends. id names the worker's task subject and must
// be unique on the server. Tasks run one at a time, on nc's delivery
// goroutine for the subject; a task running when Serve returns runs on
// there to its end, its result dropped.
//
// It is natsworker.Serve: the worker side lives in that package, which
// does not carry the embedded server, so that a lean worker binary can
// import it alone. Importing natspool imports it too, and with it the
// worker role, so a program that owns pools also serves their workers.
func Serve(ctx context.Context, nc *nats.Conn, poolID, id string) error {
	return natsworker.Serve(ctx, nc, poolID, id)
}
