package natspool

import (
	"bytes"
	"testing"
)

// The decoders take whatever arrives on the pool's subjects: they must
// reject garbage with an error, never panic, and read back what the
// encoders wrote.
func FuzzDecodeTaskMsg(f *testing.F) {
	f.Add(appendTaskMsg(nil, 7, "noop", []byte("args")))
	f.Add([]byte{kindTask, 0xff})
	f.Add([]byte{kindTask, 1, 200, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeTaskMsg(b)
		if err != nil {
			return
		}
		again := appendTaskMsg(nil, m.id, m.fn, m.args)
		if m2, err := decodeTaskMsg(again); err != nil || m2.id != m.id || m2.fn != m.fn || !bytes.Equal(m2.args, m.args) {
			t.Fatalf("round trip of %+v: %+v, %v", m, m2, err)
		}
	})
}

func FuzzDecodeResultMsg(f *testing.F) {
	f.Add(appendResultMsg(nil, resultMsg{worker: 3, id: 9, status: statusError, start: -5, end: 1 << 60, payload: []byte("bad")}))
	f.Add([]byte{1, 1, 7})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeResultMsg(b)
		if err != nil {
			return
		}
		r2, err := decodeResultMsg(appendResultMsg(nil, r))
		if err != nil || r2.worker != r.worker || r2.id != r.id || r2.status != r.status || r2.start != r.start || r2.end != r.end || !bytes.Equal(r2.payload, r.payload) {
			t.Fatalf("round trip of %+v: %+v, %v", r, r2, err)
		}
	})
}

func FuzzDecodeBeatMsg(f *testing.F) {
	f.Add(appendBeatMsg(nil, beatMsg{worker: 1, running: 2, since: 3}))
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeBeatMsg(b)
		if err != nil {
			return
		}
		if m2, err := decodeBeatMsg(appendBeatMsg(nil, m)); err != nil || m2 != m {
			t.Fatalf("round trip of %+v: %+v, %v", m, m2, err)
		}
	})
}
