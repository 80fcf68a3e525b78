package procpool

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// A chunk is several calls of one function sent as one task, as Python's
// chunksize does: one frame, one dispatch and one result for many short
// calls. The worker runs them in order and returns each call's outcome.
//
//	args:   u16 name length | name | (u32 length | bytes)...
//	result: (u8 status | i64 start | i64 end | u32 length | bytes)...
const chunkFunc = "procpool.chunk"

func encodeChunk(fn string, args [][]byte) []byte {
	n := 2 + len(fn)
	for _, a := range args {
		n += 4 + len(a)
	}
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(fn)))
	b = append(b, fn...)
	for _, a := range args {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(a)))
		b = append(b, a...)
	}
	return b
}

// decodeChunk splits a chunk's arguments; each aliases body.
func decodeChunk(body []byte) (name string, args [][]byte, err error) {
	if len(body) < 2 || len(body) < 2+int(binary.LittleEndian.Uint16(body)) {
		return "", nil, fmt.Errorf("%w: chunk of %d bytes", ErrProtocol, len(body))
	}
	n := int(binary.LittleEndian.Uint16(body))
	name, rest := string(body[2:2+n]), body[2+n:]
	for len(rest) > 0 {
		if len(rest) < 4 || len(rest)-4 < int(binary.LittleEndian.Uint32(rest)) {
			return "", nil, fmt.Errorf("%w: truncated chunk", ErrProtocol)
		}
		size := int(binary.LittleEndian.Uint32(rest))
		args = append(args, rest[4:4+size:4+size])
		rest = rest[4+size:]
	}
	return name, args, nil
}

// runChunk is the worker's side: every call runs, whatever the others did.
func runChunk(body []byte) ([]byte, error) {
	name, args, err := decodeChunk(body)
	if err != nil {
		return nil, err
	}
	fn, lookupErr := Lookup(name)
	out := make([]byte, 0, 21*len(args))
	// One clock read between calls: a call's end is the next one's start.
	start := time.Now()
	for _, a := range args {
		value, err := []byte(nil), lookupErr
		if err == nil {
			value, err = call(fn, a)
		}
		end := time.Now()
		status := statusOK
		if err != nil {
			status, value = failStatus(err, lookupErr != nil)
		}
		out = append(out, status)
		out = binary.LittleEndian.AppendUint64(out, uint64(start.UnixNano()))
		out = binary.LittleEndian.AppendUint64(out, uint64(end.UnixNano()))
		out = binary.LittleEndian.AppendUint32(out, uint32(len(value)))
		out = append(out, value...)
		start = end
	}
	return out, nil
}

// appendChunkResults splits a finished chunk task into the results of its
// n calls, appended to dst. A chunk that failed as a whole (its worker died,
// the pool was terminated, its results were too large) fails every call
// with its error.
func appendChunkResults(dst []Result, a *AsyncResult, fn string, n int) []Result {
	base := len(dst)
	dst = slices.Grow(dst, n)[:base+n]
	out := dst[base:]
	whole := a.result
	for i := range out {
		out[i] = Result{Err: whole.Err, WorkerPID: whole.WorkerPID, Submitted: whole.Submitted,
			Started: whole.Started, Finished: whole.Finished, Delivered: whole.Delivered}
	}
	if whole.Err != nil {
		return dst
	}
	rest := whole.Value
	for i := range out {
		if len(rest) < 21 || len(rest)-21 < int(binary.LittleEndian.Uint32(rest[17:])) {
			for j := i; j < n; j++ {
				out[j].Err = fmt.Errorf("%w: chunk result for %d of %d calls", ErrProtocol, i, n)
			}
			return dst
		}
		status := rest[0]
		out[i].Started = time.Unix(0, int64(binary.LittleEndian.Uint64(rest[1:])))
		out[i].Finished = time.Unix(0, int64(binary.LittleEndian.Uint64(rest[9:])))
		size := int(binary.LittleEndian.Uint32(rest[17:]))
		payload := rest[21 : 21+size : 21+size]
		rest = rest[21+size:]
		switch status {
		case statusOK:
			if size > 0 {
				out[i].Value = payload
			}
		case statusError, statusPanic, statusUnknown:
			out[i].Err = taskError(fn, whole.WorkerPID, status, payload)
		default: // no call's status: a chunk's result never says too large
			out[i].Err = fmt.Errorf("%w: chunk call %d of %d: status %d", ErrProtocol, i, n, status)
		}
	}
	return dst
}
