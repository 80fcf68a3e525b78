// Package wire is what a natspool pool's owner and its workers say to each
// other: the subjects, the messages and the heartbeat rule. Both sides
// import it; it imports neither, so that a worker binary need not carry
// the owner's embedded server.
package wire

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/poolbench/poolbench/procpool"
)

// The messages between a pool's owner and its workers. Tasks, results and
// heartbeats travel once per task or per second and are a few varints; the
// rare ones (hello, ready, discovery) are JSON.

// Kinds of message on a worker's own subject and on the pool's control subject.
const (
	KindTask  byte = 1 // a task for this worker
	KindStop  byte = 2 // the pool is done: exit when idle
	KindKill  byte = 3 // exit at once, mid-task if need be
	KindAlive byte = 4 // the owner is still there
)

// AppendKillOne appends a kill for the one worker of that index, sent on
// the control subject: a worker reads its own subject on the goroutine
// that runs its tasks, so a kill sent there would wait for the task it
// is meant to stop.
func AppendKillOne(b []byte, index uint64) []byte {
	return binary.LittleEndian.AppendUint64(append(b, KindKill), index)
}

// KillsOne reports whether a control message is AppendKillOne's, and for
// which worker.
func KillsOne(b []byte) (index uint64, ok bool) {
	if len(b) != 9 || b[0] != KindKill {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[1:]), true
}

// Result statuses.
const (
	StatusOK    byte = 0
	StatusError byte = 1
	// StatusUnknown: the worker has no function of the task's name.
	StatusUnknown byte = 2
	// StatusPanic: the function panicked; the payload is the panic's
	// value and the worker's stack, as procpool.AppendPanic writes them.
	StatusPanic byte = 3
	// StatusTooLarge: the result did not fit the server's messages; the
	// payload is its size and the largest that would have fitted, as
	// AppendTooLarge writes them.
	StatusTooLarge byte = 4
)

// AppendTooLarge appends a StatusTooLarge result's payload: two uvarints.
func AppendTooLarge(b []byte, size, limit int) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(b, uint64(size)), uint64(limit))
}

// DecodeTooLarge reads AppendTooLarge's payload.
func DecodeTooLarge(b []byte) (size, limit int, err error) {
	s, n := binary.Uvarint(b)
	if n <= 0 || s > math.MaxInt64 {
		return 0, 0, fmt.Errorf("%w: too-large size", procpool.ErrProtocol)
	}
	l, m := binary.Uvarint(b[n:])
	if m <= 0 || l > math.MaxInt64 || n+m != len(b) {
		return 0, 0, fmt.Errorf("%w: too-large limit", procpool.ErrProtocol)
	}
	return int(s), int(l), nil
}

// TaskMsg is a task sent to one worker.
type TaskMsg struct {
	ID   uint64
	Fn   string
	Args []byte
}

// AppendTaskMsg appends a task message, kind byte first, to b.
func AppendTaskMsg(b []byte, id uint64, fn string, args []byte) []byte {
	b = append(b, KindTask)
	b = binary.AppendUvarint(b, id)
	b = binary.AppendUvarint(b, uint64(len(fn)))
	b = append(b, fn...)
	return append(b, args...)
}

// DecodeTaskMsg reads a task message, kind byte included. Args aliases b.
func DecodeTaskMsg(b []byte) (TaskMsg, error) {
	var t TaskMsg
	if len(b) == 0 || b[0] != KindTask {
		return t, fmt.Errorf("%w: not a task message", procpool.ErrProtocol)
	}
	b = b[1:]
	id, n := binary.Uvarint(b)
	if n <= 0 {
		return t, fmt.Errorf("%w: task id", procpool.ErrProtocol)
	}
	b = b[n:]
	fl, n := binary.Uvarint(b)
	if n <= 0 || fl > uint64(len(b)-n) {
		return t, fmt.Errorf("%w: task function name", procpool.ErrProtocol)
	}
	b = b[n:]
	t.ID, t.Fn, t.Args = id, string(b[:fl]), b[fl:]
	return t, nil
}

// ResultMsg is a task's result, which is also its worker's request for more.
type ResultMsg struct {
	Worker     uint64 // the index the owner gave the worker
	ID         uint64
	Status     byte
	Start, End int64 // worker's clock, Unix nanoseconds
	Payload    []byte
}

// AppendResultMsg appends a result message to b.
func AppendResultMsg(b []byte, r ResultMsg) []byte {
	b = binary.AppendUvarint(b, r.Worker)
	b = binary.AppendUvarint(b, r.ID)
	b = append(b, r.Status)
	b = binary.AppendVarint(b, r.Start)
	b = binary.AppendVarint(b, r.End)
	return append(b, r.Payload...)
}

// DecodeResultMsg reads a result; Payload aliases b.
func DecodeResultMsg(b []byte) (ResultMsg, error) {
	var r ResultMsg
	var n int
	if r.Worker, n = binary.Uvarint(b); n <= 0 {
		return r, fmt.Errorf("%w: result worker", procpool.ErrProtocol)
	}
	b = b[n:]
	if r.ID, n = binary.Uvarint(b); n <= 0 {
		return r, fmt.Errorf("%w: result id", procpool.ErrProtocol)
	}
	b = b[n:]
	if len(b) == 0 || b[0] > StatusTooLarge {
		return r, fmt.Errorf("%w: result status", procpool.ErrProtocol)
	}
	r.Status, b = b[0], b[1:]
	if r.Start, n = binary.Varint(b); n <= 0 {
		return r, fmt.Errorf("%w: result start", procpool.ErrProtocol)
	}
	b = b[n:]
	if r.End, n = binary.Varint(b); n <= 0 {
		return r, fmt.Errorf("%w: result end", procpool.ErrProtocol)
	}
	r.Payload = b[n:]
	return r, nil
}

// BeatMsg is a worker's heartbeat: it is alive, and which task it runs (id
// 0: none) and for how long so far, in nanoseconds of its own monotonic
// clock, so the owner can enforce a task timeout on its own clock: a
// time of day from another host's clock would be off by their skew.
type BeatMsg struct {
	Worker  uint64
	Running uint64
	Ran     int64
}

// AppendBeatMsg appends a heartbeat to b.
func AppendBeatMsg(b []byte, m BeatMsg) []byte {
	b = binary.AppendUvarint(b, m.Worker)
	b = binary.AppendUvarint(b, m.Running)
	return binary.AppendVarint(b, m.Ran)
}

// DecodeBeatMsg reads a heartbeat.
func DecodeBeatMsg(b []byte) (BeatMsg, error) {
	var m BeatMsg
	var n int
	if m.Worker, n = binary.Uvarint(b); n <= 0 {
		return m, fmt.Errorf("%w: heartbeat worker", procpool.ErrProtocol)
	}
	b = b[n:]
	if m.Running, n = binary.Uvarint(b); n <= 0 {
		return m, fmt.Errorf("%w: heartbeat task", procpool.ErrProtocol)
	}
	b = b[n:]
	if m.Ran, n = binary.Varint(b); n <= 0 || n != len(b) {
		return m, fmt.Errorf("%w: heartbeat time", procpool.ErrProtocol)
	}
	return m, nil
}

// Protocol is this package's version of the messages between a pool and
// its workers, which may be built apart (a worker on another host). Each
// side says its own in Hello and Welcome and the other refuses a different
// one, saying so, rather than misread a message (a result status it does
// not know would leave its task in flight for ever). Those from before it
// had one say 0. Raise it with any change to the messages.
// 2: results may say StatusUnknown and StatusPanic (procpool.AppendPanic).
// 3: a kill on the control subject may name one worker (AppendKillOne);
// a hello may name its host, which the pool may ask for a replacement.
// 4: a heartbeat says how long its task has run, not since when.
// 5: results may say StatusTooLarge.
const Protocol = 5

// Hello is a worker introducing itself to a pool, as a request.
type Hello struct {
	// ID names the worker's task subject; the owner chooses it for the
	// workers it starts, a remote worker chooses its own.
	ID       string `json:"id"`
	Host     string `json:"host"`
	CPUs     int    `json:"cpus"`
	PID      int    `json:"pid"`
	Protocol int    `json:"protocol"`
	// HostID is the id of the host that started the worker (WorkerEnv's
	// Host), empty for a pool's own and for Serve's.
	HostID string `json:"host_id,omitempty"`
}

// Welcome is the owner's answer to a Hello.
type Welcome struct {
	Protocol  int    `json:"protocol"`
	Index     uint64 `json:"index"`
	InitFunc  string `json:"init_func,omitempty"`
	InitArgs  []byte `json:"init_args,omitempty"`
	Heartbeat int64  `json:"heartbeat_ns"`
	Refused   string `json:"refused,omitempty"`
}

// RefusedClosed is a Welcome's Refused when the pool takes no more workers.
const RefusedClosed = "pool is closed"

// Ready says a worker ran its initializer (Error says how it failed).
type Ready struct {
	Index uint64 `json:"index"`
	Error string `json:"error,omitempty"`
	// CPU is what the worker's process used up to now, in ns.
	CPU int64 `json:"cpu_ns,omitempty"`
}

// PoolInfo is what a pool answers to discovery and announces at its start.
type PoolInfo struct {
	ID string `json:"id"`
}

// DecodeJSON reads one of the JSON messages; garbage is a protocol error.
func DecodeJSON(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", procpool.ErrProtocol, err)
	}
	return nil
}
