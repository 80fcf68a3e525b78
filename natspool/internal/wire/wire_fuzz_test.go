package wire

import (
	"bytes"
	"testing"
)

// The decoders take whatever arrives on the pool's subjects: they must
// reject garbage with an error, never panic, and read back what the
// encoders wrote.
func FuzzDecodeTaskMsg(f *testing.F) {
	f.Add(AppendTaskMsg(nil, 7, "noop", []byte("args")))
	f.Add([]byte{KindTask, 0xff})
	f.Add([]byte{KindTask, 1, 200, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeTaskMsg(b)
		if err != nil {
			return
		}
		again := AppendTaskMsg(nil, m.ID, m.Fn, m.Args)
		if m2, err := DecodeTaskMsg(again); err != nil || m2.ID != m.ID || m2.Fn != m.Fn || !bytes.Equal(m2.Args, m.Args) {
			t.Fatalf("round trip of %+v: %+v, %v", m, m2, err)
		}
	})
}

func FuzzDecodeResultMsg(f *testing.F) {
	f.Add(AppendResultMsg(nil, ResultMsg{Worker: 3, ID: 9, Status: StatusError, Start: -5, End: 1 << 60, Payload: []byte("bad")}))
	f.Add([]byte{1, 1, 7})
	f.Add(AppendResultMsg(nil, ResultMsg{Worker: 1, ID: 2, Status: StatusUnknown, Payload: []byte(`unknown function "x"`)}))
	f.Add(AppendResultMsg(nil, ResultMsg{Worker: 1, ID: 3, Status: StatusPanic, Payload: []byte("boom\ngoroutine 1")}))
	f.Add(AppendResultMsg(nil, ResultMsg{Worker: 1, ID: 4, Status: StatusTooLarge, Payload: AppendTooLarge(nil, 2<<20, 1<<20-40)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeResultMsg(b)
		if err != nil {
			return
		}
		r2, err := DecodeResultMsg(AppendResultMsg(nil, r))
		if err != nil || r2.Worker != r.Worker || r2.ID != r.ID || r2.Status != r.Status || r2.Start != r.Start || r2.End != r.End || !bytes.Equal(r2.Payload, r.Payload) {
			t.Fatalf("round trip of %+v: %+v, %v", r, r2, err)
		}
	})
}

func FuzzDecodeTooLarge(f *testing.F) {
	f.Add(AppendTooLarge(nil, 2<<20, 1<<20-40))
	f.Add(AppendTooLarge(nil, 0, 0))
	f.Add([]byte{0x80})
	f.Add(append(AppendTooLarge(nil, 1, 2), 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		size, limit, err := DecodeTooLarge(b)
		if err != nil {
			return
		}
		if size < 0 || limit < 0 {
			t.Fatalf("%x: size %d, limit %d", b, size, limit)
		}
		if s2, l2, err := DecodeTooLarge(AppendTooLarge(nil, size, limit)); err != nil || s2 != size || l2 != limit {
			t.Fatalf("round trip of %d, %d: %d, %d, %v", size, limit, s2, l2, err)
		}
	})
}

func FuzzDecodeBeatMsg(f *testing.F) {
	f.Add(AppendBeatMsg(nil, BeatMsg{Worker: 1, Running: 2, Ran: 3}))
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeBeatMsg(b)
		if err != nil {
			return
		}
		if m2, err := DecodeBeatMsg(AppendBeatMsg(nil, m)); err != nil || m2 != m {
			t.Fatalf("round trip of %+v: %+v, %v", m, m2, err)
		}
	})
}

// A kill names one worker only in its own form; every other control
// message, a pool-wide kill included, names none.
func FuzzKillsOne(f *testing.F) {
	f.Add(AppendKillOne(nil, 7))
	f.Add([]byte{KindKill})
	f.Add([]byte{KindStop, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		i, ok := KillsOne(b)
		if !ok {
			return
		}
		if again := AppendKillOne(nil, i); !bytes.Equal(again, b) {
			t.Fatalf("KillsOne(%x) = %d, which AppendKillOne writes as %x", b, i, again)
		}
	})
}
