package procpool

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// FuzzFrameDecode feeds arbitrary bytes to the frame reader and the task and
// result decoders, as a corrupt or hostile pipe would: they must return an
// error, never panic, and never allocate past the frame limit.
func FuzzFrameDecode(f *testing.F) {
	f.Add(appendTask(nil, kindTask, 7, "cpu", []byte("0123456789abcdef")))
	f.Add(appendTask(nil, kindInit, 0, "", nil))
	f.Add(appendResult(nil, resultFrame{id: 1, status: statusError, start: 1, end: 2, payload: []byte("boom")}))
	f.Add(appendResult(nil, resultFrame{id: 3, status: statusUnknown, start: 1, end: 2, payload: []byte(`unknown function "x"`)}))
	f.Add(appendResult(nil, resultFrame{id: 2, start: 3, end: 4, payload: bytes.Repeat([]byte("x"), refMin)}))
	f.Add([]byte{0, 0, 0, 0x40, kindResult})
	f.Add([]byte{3, 0, 0, 0, kindTask, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := newFrameReader(bytes.NewReader(data), 1<<16)
		for {
			kind, body, err := fr.next()
			if err != nil {
				return
			}
			if len(body)+len(fr.payload) > 1<<16 {
				t.Fatalf("frame of %d+%d bytes past the limit", len(body), len(fr.payload))
			}
			switch kind {
			case kindTask, kindInit:
				if tf, err := decodeTask(body); err == nil {
					again, err := decodeTask(appendTask(nil, kind, tf.id, tf.fn, tf.args)[headerLen:])
					if err != nil || again.id != tf.id || again.fn != tf.fn || !bytes.Equal(again.args, tf.args) {
						t.Fatalf("task does not round-trip: %+v vs %+v (%v)", tf, again, err)
					}
				}
			case kindResult:
				if rf, err := decodeResult(body); err == nil {
					if fr.payload != nil {
						rf.payload = fr.payload
					}
					again, err := decodeResult(appendResult(nil, rf)[headerLen:])
					if err != nil || again.id != rf.id || again.start != rf.start || !bytes.Equal(again.payload, rf.payload) {
						t.Fatalf("result does not round-trip")
					}
				}
			}
		}
	})
}

// FuzzChunkDecode feeds arbitrary bytes to both sides of a chunk: the
// worker's argument decoder must return an error or arguments that encode
// back to the same bytes, and the pool's result splitter must never panic
// nor yield other than one result per call.
func FuzzChunkDecode(f *testing.F) {
	f.Add(encodeChunk("test.echo", [][]byte{[]byte("a"), nil, []byte("ccc")}), 3)
	f.Add([]byte{9, 0, 't'}, 1)
	// A chunk's result: one call unknown, one of a status no call has.
	f.Add(append(append([]byte{statusUnknown}, make([]byte, 20)...), append([]byte{statusTooLarge}, make([]byte, 20)...)...), 2)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, 2)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if name, args, err := decodeChunk(data); err == nil && len(name) <= 0xffff {
			if again := encodeChunk(name, args); !bytes.Equal(again, data) {
				t.Fatalf("chunk does not round-trip: %x vs %x", again, data)
			}
		}
		n = min(max(n, 0), 64)
		a := &AsyncResult{result: Result{Value: data}}
		if rs := appendChunkResults(nil, a, "f", n); len(rs) != n {
			t.Fatalf("%d results for %d calls", len(rs), n)
		}
	})
}

// A ready frame of any bytes is a CPU time or an error, never a panic;
// one this package's worker writes reads back as what it wrote.
func FuzzReadyDecode(f *testing.F) {
	v := binary.LittleEndian.AppendUint32(nil, protocolVersion)
	f.Add(kindReadyV, binary.LittleEndian.AppendUint64(v, 1234))
	f.Add(kindReadyV, append(binary.LittleEndian.AppendUint64(v, 1), "initializer f: no"...))
	f.Add(kindReadyV, v[:3])
	f.Add(kindReady, binary.LittleEndian.AppendUint64(nil, 9))
	f.Add(kindReady, append(binary.LittleEndian.AppendUint64(nil, 9), "refused"...))
	f.Add(kindResult, []byte{1})
	f.Fuzz(func(t *testing.T, kind byte, body []byte) {
		cpu, err := decodeReady(kind, body)
		if err == nil && (kind != kindReadyV || len(body) != 12 || cpu != time.Duration(binary.LittleEndian.Uint64(body[4:]))) {
			t.Fatalf("kind %d, %d bytes: accepted as ready with %v", kind, len(body), cpu)
		}
	})
}
