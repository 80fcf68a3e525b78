package natspool

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// EmbeddedMaxPayload is the largest message the embedded server carries
// (nats-server's default max_payload): a task travels in one message, with
// its function's name and arguments, and so does its result.
const EmbeddedMaxPayload = server.MAX_PAYLOAD_SIZE

// resultOverhead bounds what a result message adds to the value: the
// worker's index, the task's id, the status byte and the two times.
const resultOverhead = 10 + 10 + 1 + 10 + 10

// Fits says whether a task of fn with argBytes of arguments, and a result
// of resultBytes, fit in messages of at most limit bytes: nil, or an error
// wrapping ErrFrameTooLarge that says which does not. A program can check
// its sizes against a server's limit (EmbeddedMaxPayload, or a connection's
// MaxPayload) before it submits anything.
func Fits(fn string, argBytes, resultBytes, limit int) error {
	if n := len(fn) + argBytes + msgOverhead; n > limit {
		return fmt.Errorf("natspool: a task of %.40q with %d bytes of arguments takes %d bytes a message, over the server's limit of %d: %w", fn, argBytes, n, limit, ErrFrameTooLarge)
	}
	if n := resultBytes + resultOverhead; n > limit {
		return fmt.Errorf("natspool: a result of %d bytes takes up to %d bytes a message, over the server's limit of %d: %w", resultBytes, n, limit, ErrFrameTooLarge)
	}
	return nil
}

// MaxPayloadAt connects once to the server at url and returns the largest
// message it carries (its max_payload), which only a connection learns: a
// program can check its sizes with Fits before it starts a pool there, and
// learns at once, rather than from its first pool, that no server answers.
func MaxPayloadAt(url string, timeout time.Duration) (int, error) {
	nc, err := nats.Connect(url, nats.Name("poolbench probe"), nats.Timeout(timeout), nats.NoReconnect())
	if err != nil {
		return 0, fmt.Errorf("natspool: connect to %s: %w", url, err)
	}
	defer nc.Close()
	return int(nc.MaxPayload()), nil
}
