package natspool

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// The messages between a pool's owner and its workers. Tasks, results and
// heartbeats travel once per task or per second and are a few varints; the
// rare ones (hello, ready, discovery) are JSON.

// Kinds of message on a worker's own subject and on the pool's control subject.
const (
	kindTask  byte = 1 // a task for this worker
	kindStop  byte = 2 // the pool is done: exit when idle
	kindKill  byte = 3 // exit at once, mid-task if need be
	kindAlive byte = 4 // the owner is still there
)

// Result statuses.
const (
	statusOK    byte = 0
	statusError byte = 1
)

type taskMsg struct {
	id   uint64
	fn   string
	args []byte
}

func appendTaskMsg(b []byte, id uint64, fn string, args []byte) []byte {
	b = append(b, kindTask)
	b = binary.AppendUvarint(b, id)
	b = binary.AppendUvarint(b, uint64(len(fn)))
	b = append(b, fn...)
	return append(b, args...)
}

// decodeTaskMsg reads a task message, kind byte included. args aliases b.
func decodeTaskMsg(b []byte) (taskMsg, error) {
	var t taskMsg
	if len(b) == 0 || b[0] != kindTask {
		return t, fmt.Errorf("%w: not a task message", errProtocol)
	}
	b = b[1:]
	id, n := binary.Uvarint(b)
	if n <= 0 {
		return t, fmt.Errorf("%w: task id", errProtocol)
	}
	b = b[n:]
	fl, n := binary.Uvarint(b)
	if n <= 0 || fl > uint64(len(b)-n) {
		return t, fmt.Errorf("%w: task function name", errProtocol)
	}
	b = b[n:]
	t.id, t.fn, t.args = id, string(b[:fl]), b[fl:]
	return t, nil
}

type resultMsg struct {
	worker     uint64 // the index the owner gave the worker
	id         uint64
	status     byte
	start, end int64 // worker's clock, Unix nanoseconds
	payload    []byte
}

func appendResultMsg(b []byte, r resultMsg) []byte {
	b = binary.AppendUvarint(b, r.worker)
	b = binary.AppendUvarint(b, r.id)
	b = append(b, r.status)
	b = binary.AppendVarint(b, r.start)
	b = binary.AppendVarint(b, r.end)
	return append(b, r.payload...)
}

// decodeResultMsg reads a result; payload aliases b.
func decodeResultMsg(b []byte) (resultMsg, error) {
	var r resultMsg
	var n int
	if r.worker, n = binary.Uvarint(b); n <= 0 {
		return r, fmt.Errorf("%w: result worker", errProtocol)
	}
	b = b[n:]
	if r.id, n = binary.Uvarint(b); n <= 0 {
		return r, fmt.Errorf("%w: result id", errProtocol)
	}
	b = b[n:]
	if len(b) == 0 || b[0] > statusError {
		return r, fmt.Errorf("%w: result status", errProtocol)
	}
	r.status, b = b[0], b[1:]
	if r.start, n = binary.Varint(b); n <= 0 {
		return r, fmt.Errorf("%w: result start", errProtocol)
	}
	b = b[n:]
	if r.end, n = binary.Varint(b); n <= 0 {
		return r, fmt.Errorf("%w: result end", errProtocol)
	}
	r.payload = b[n:]
	return r, nil
}

// beatMsg is a worker's heartbeat: it is alive, and which task it runs
// since when (id 0: none), so the owner can enforce a task timeout.
type beatMsg struct {
	worker  uint64
	running uint64
	since   int64
}

func appendBeatMsg(b []byte, m beatMsg) []byte {
	b = binary.AppendUvarint(b, m.worker)
	b = binary.AppendUvarint(b, m.running)
	return binary.AppendVarint(b, m.since)
}

func decodeBeatMsg(b []byte) (beatMsg, error) {
	var m beatMsg
	var n int
	if m.worker, n = binary.Uvarint(b); n <= 0 {
		return m, fmt.Errorf("%w: heartbeat worker", errProtocol)
	}
	b = b[n:]
	if m.running, n = binary.Uvarint(b); n <= 0 {
		return m, fmt.Errorf("%w: heartbeat task", errProtocol)
	}
	b = b[n:]
	if m.since, n = binary.Varint(b); n <= 0 || n != len(b) {
		return m, fmt.Errorf("%w: heartbeat time", errProtocol)
	}
	return m, nil
}

// hello is a worker introducing itself to a pool, as a request.
type hello struct {
	// ID names the worker's task subject; the owner chooses it for the
	// workers it starts, a remote worker chooses its own.
	ID   string `json:"id"`
	Host string `json:"host"`
	CPUs int    `json:"cpus"`
	PID  int    `json:"pid"`
}

// welcome is the owner's answer to a hello.
type welcome struct {
	Index     uint64 `json:"index"`
	InitFunc  string `json:"init_func,omitempty"`
	InitArgs  []byte `json:"init_args,omitempty"`
	Heartbeat int64  `json:"heartbeat_ns"`
	Refused   string `json:"refused,omitempty"`
}

// refusedClosed is a welcome's Refused when the pool takes no more workers.
const refusedClosed = "pool is closed"

// ready says a worker ran its initializer (Error says how it failed).
type ready struct {
	Index uint64 `json:"index"`
	Error string `json:"error,omitempty"`
	// CPU is what the worker's process used up to now, in ns.
	CPU int64 `json:"cpu_ns,omitempty"`
}

// poolInfo is what a pool answers to discovery and announces at its start.
type poolInfo struct {
	ID string `json:"id"`
}

func decodeJSON(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", errProtocol, err)
	}
	return nil
}
