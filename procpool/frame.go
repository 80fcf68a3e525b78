package procpool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// The wire format is a stream of frames over a pipe:
//
//	u32 little-endian body length | u8 kind | body
//
// Binary and hand-rolled because a task round trip is a few microseconds and
// a general encoder would dominate it; fuzzed in frame_fuzz_test.go.
const (
	kindInit   byte = 1 // parent -> worker: protocol and frame limit (in the id field), initializer name, args
	kindReady  byte = 2 // worker -> parent: CPU used to get ready (u64 ns), then an error message or nothing
	kindTask   byte = 3 // parent -> worker: id, func name, args
	kindResult byte = 4 // worker -> parent: id, status, start, end, payload
	// kindReadyV is kindReady with the worker's protocol version (u32)
	// first: a worker's answer to a pool of protocol 2 or later, which
	// takes a plain kindReady for an older worker. An older pool gets a
	// plain kindReady, with the refusal.
	kindReadyV byte = 5

	headerLen = 5
)

// DefaultMaxFrame bounds one frame: a task's arguments or result above it is
// refused rather than allocated.
const DefaultMaxFrame = 64 << 20

// MaxFrameLimit is the largest frame limit MaxFrame accepts: a body's length
// travels as 32 bits, and a longer one would wrap into a short frame
// followed by forged ones.
const MaxFrameLimit = 1<<32 - 1

// protocolVersion is this package's pool-worker protocol, sent in the high
// half of the init frame's id (the low half is the frame limit): a worker
// built from another procpool (Command names a binary built apart) refuses
// it with a message that says so, rather than misreading frames. Pools
// from before it had one send 0. Raise it with any change to the frames.
// 2: a panic's value is length-prefixed (AppendPanic), and a worker
// answers with kindReadyV.
const protocolVersion = 2

// poolProtocol is the version a pool sends: protocolVersion, but for tests
// that play an older pool.
var poolProtocol uint64 = protocolVersion

// initID packs the init frame's id.
func initID(maxFrame int) uint64 { return poolProtocol<<32 | uint64(maxFrame) }

var errEOF = io.EOF

// frameReader reads frames from a buffered stream, reusing one buffer,
// except for large results' payloads: those are read into a buffer of
// their own, which becomes the task's value without another copy.
type frameReader struct {
	r   *bufio.Reader
	max int
	buf []byte
	// payload is the last frame's payload when it was read apart from the
	// body (a large result), the caller's to keep; nil otherwise.
	payload []byte
	// alloc, when set, supplies those payload buffers (recycled ones).
	alloc func(n int) []byte
	// lentTo, when not 0, is where in the result stream the last
	// result lent from buf ends: buf must not be written to until
	// released(lentTo) says the pool has read that far. lent holds the
	// earlier frame buffers still lent, by the same rule.
	lentTo   int64
	lent     []lentBuffer
	released func(end int64) bool
}

func newFrameReader(r io.Reader, max int) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next frame. The body is valid until the following call.
// A result of refMin bytes or more comes in two parts: its head is the
// body, and its payload is fr.payload, for good.
func (fr *frameReader) next() (kind byte, body []byte, err error) {
	var hdr [headerLen]byte
	fr.payload = nil
	if _, err := io.ReadFull(fr.r, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, fmt.Errorf("%w: truncated frame header", ErrProtocol)
		}
		return 0, nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[:4])
	if int64(n) > int64(fr.max) {
		err := &oversizeError{size: int64(n), limit: fr.max}
		// A result names its task in its first 8 bytes: if they have
		// already arrived, the frame's own task can be blamed.
		if hdr[4] == kindResult && fr.r.Buffered() >= 8 {
			id, _ := fr.r.Peek(8)
			err.id = binary.LittleEndian.Uint64(id)
		}
		return 0, nil, err
	}
	var payload []byte
	if hdr[4] == kindResult && n >= refMin {
		// The head goes to the reused buffer and the payload straight
		// to its final one: no copy, and no offset into a buffer that
		// Recycle could not give back whole.
		if fr.alloc != nil {
			payload = fr.alloc(int(n - resultOverhead))
		} else {
			payload = make([]byte, n-resultOverhead)
		}
		n = resultOverhead
	}
	fr.reclaim()
	if cap(fr.buf) < int(n) {
		fr.buf = make([]byte, n)
	}
	body = fr.buf[:n]
	if _, err := io.ReadFull(fr.r, body); err != nil {
		return 0, nil, fmt.Errorf("%w: truncated frame body: %v", ErrProtocol, err)
	}
	if payload != nil {
		if _, err := io.ReadFull(fr.r, payload); err != nil {
			return 0, nil, fmt.Errorf("%w: truncated frame body: %v", ErrProtocol, err)
		}
		fr.payload = payload
	}
	return hdr[4], body, nil
}

// oversizeError is a frame announced longer than the limit; id is the task
// a result frame names, 0 if unknown.
type oversizeError struct {
	size  int64
	limit int
	id    uint64
}

func (e *oversizeError) Error() string {
	return fmt.Sprintf("%v: %d bytes, limit %d", ErrFrameTooLarge, e.size, e.limit)
}

func (e *oversizeError) Unwrap() error { return ErrFrameTooLarge }

// buffered reports whether a whole frame header is already buffered, so a
// worker can tell whether flushing now would be premature.
func (fr *frameReader) buffered() int { return fr.r.Buffered() }

// appendFrame appends a frame of the given kind whose body is built by body.
// Callers bound the body to MaxFrameLimit first; a longer one would wrap.
func appendFrame(dst []byte, kind byte, body func([]byte) []byte) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, kind)
	dst = body(dst)
	n := len(dst) - start - headerLen
	if n > MaxFrameLimit {
		panic(fmt.Sprintf("procpool: frame body of %d bytes past the 32-bit length", n))
	}
	binary.LittleEndian.PutUint32(dst[start:], uint32(n))
	return dst
}

// bodyLen is n as a frame's length field; a longer body would wrap.
func bodyLen(n int) uint32 {
	if n > MaxFrameLimit {
		panic(fmt.Sprintf("procpool: frame body of %d bytes past the 32-bit length", n))
	}
	return uint32(n)
}

// taskFrameLen is the body length of a task frame.
func taskFrameLen(fn string, args []byte) int { return 10 + len(fn) + len(args) }

// resultOverhead is a result frame's body length without its payload.
const resultOverhead = 25

// task is the decoded body of a kindTask or kindInit frame.
type taskFrame struct {
	id   uint64
	fn   string
	args []byte
}

func appendTask(dst []byte, kind byte, id uint64, fn string, args []byte) []byte {
	return append(appendTaskHead(dst, kind, id, fn, len(args)), args...)
}

// appendTaskHead appends a task frame up to its arguments, which the
// caller sends right after it (as a segment of its own, when large).
// Callers bound the body to MaxFrameLimit first.
func appendTaskHead(dst []byte, kind byte, id uint64, fn string, argsLen int) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, bodyLen(taskFrameLen(fn, nil)+argsLen))
	dst = append(dst, kind)
	dst = binary.LittleEndian.AppendUint64(dst, id)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(fn)))
	return append(dst, fn...)
}

func decodeTask(body []byte) (taskFrame, error) {
	if len(body) < 10 {
		return taskFrame{}, fmt.Errorf("%w: task frame of %d bytes", ErrProtocol, len(body))
	}
	id := binary.LittleEndian.Uint64(body)
	n := int(binary.LittleEndian.Uint16(body[8:]))
	if len(body) < 10+n {
		return taskFrame{}, fmt.Errorf("%w: task name of %d bytes in a %d-byte frame", ErrProtocol, n, len(body))
	}
	return taskFrame{id: id, fn: string(body[10 : 10+n]), args: body[10+n:]}, nil
}

const (
	statusOK    byte = 0
	statusError byte = 1 // the function failed; payload is its message
	statusPanic byte = 2 // the function panicked; payload is AppendPanic's: the value's length, the value, the stack
	// statusTooLarge: the result did not fit a frame; payload is its size
	// in bytes (u64), so the worker stays up and the task alone fails.
	statusTooLarge byte = 3
	// statusUnknown: the worker has no function of the task's name (a
	// worker binary built without it); payload is the message.
	statusUnknown byte = 4
)

// failStatus is the status and payload a task's error travels as; unknown
// says the worker had no function of the task's name, decided where the
// name was looked up: an error of the function's own that wraps
// ErrUnknownFunc (it ran another name through Run, say) is its own failure.
func failStatus(err error, unknown bool) (byte, []byte) {
	var pe *panicError
	switch {
	case unknown:
		return statusUnknown, []byte(err.Error())
	case errors.As(err, &pe):
		return statusPanic, AppendPanic(nil, pe.msg, pe.stack)
	}
	return statusError, []byte(err.Error())
}

// resultFrame is the decoded body of a kindResult frame. Start and end are
// the worker's wall clock in Unix nanoseconds: the same clock as the parent's
// on one machine.
type resultFrame struct {
	id         uint64
	status     byte
	start, end int64
	payload    []byte
}

func appendResult(dst []byte, r resultFrame) []byte {
	return append(appendResultHead(dst, r), r.payload...)
}

// appendResultHead appends a result frame up to its payload, which the
// caller sends right after it. The payload is bounded by the frame limit.
func appendResultHead(dst []byte, r resultFrame) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, bodyLen(resultOverhead+len(r.payload)))
	dst = append(dst, kindResult)
	dst = binary.LittleEndian.AppendUint64(dst, r.id)
	dst = append(dst, r.status)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(r.start))
	return binary.LittleEndian.AppendUint64(dst, uint64(r.end))
}

func decodeResult(body []byte) (resultFrame, error) {
	if len(body) < 25 {
		return resultFrame{}, fmt.Errorf("%w: result frame of %d bytes", ErrProtocol, len(body))
	}
	r := resultFrame{
		id:      binary.LittleEndian.Uint64(body),
		status:  body[8],
		start:   int64(binary.LittleEndian.Uint64(body[9:])),
		end:     int64(binary.LittleEndian.Uint64(body[17:])),
		payload: body[25:],
	}
	if r.status > statusUnknown {
		return resultFrame{}, fmt.Errorf("%w: result status %d", ErrProtocol, r.status)
	}
	return r, nil
}

// decodeReady reads a worker's ready frame: the CPU it used to get ready,
// or why it will not serve (its refusal, a protocol it does not share).
func decodeReady(kind byte, body []byte) (time.Duration, error) {
	switch {
	case kind == kindReady && len(body) > 8:
		return 0, errors.New(string(body[8:]))
	case kind == kindReady && len(body) == 8:
		// A worker older than protocol 2, which answers this way: it
		// would read this pool's frames as its own.
		return 0, fmt.Errorf("%w: it speaks a protocol older than this pool's %d: build the worker and the pool from the same procpool", ErrProtocol, protocolVersion)
	case kind != kindReadyV || len(body) < 12:
		return 0, fmt.Errorf("%w: frame kind %d of %d bytes, want ready", ErrProtocol, kind, len(body))
	case len(body) > 12: // its refusal: another protocol, or its initializer
		return 0, errors.New(string(body[12:]))
	}
	if v := binary.LittleEndian.Uint32(body); v != protocolVersion {
		return 0, fmt.Errorf("%w: it speaks protocol %d, this pool %d: build the worker and the pool from the same procpool", ErrProtocol, v, protocolVersion)
	}
	return time.Duration(binary.LittleEndian.Uint64(body[4:])), nil
}
