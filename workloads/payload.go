package workloads

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
)

// PayloadName is the name of the data-moving workload.
const PayloadName = "payload"

// DefaultPayload is the bytes a payload task receives and returns unless
// --payload says otherwise.
const DefaultPayload = 64 << 10

// MaxPayload bounds either side of a payload task, below the process pool's
// frame limit.
const MaxPayload = 32 << 20

// PayloadSizes are the input and output sizes the options ask for.
func PayloadSizes(o Options) (in, out uint64) {
	in, out = o.PayloadIn, o.PayloadOut
	if in == 0 {
		in = DefaultPayload
	}
	if out == 0 {
		out = DefaultPayload
	}
	return in, out
}

// PayloadTaskSizes are the bytes a payload task's arguments (a 16-byte
// header, then the input) and its result take, as a pool carries them.
func PayloadTaskSizes(o Options) (args, result int) {
	in, out := PayloadSizes(o)
	return payloadHeader + int(in), int(out)
}

// payloadHeader is the output size and the task's index, before the input.
const payloadHeader = 16

// fillPattern writes the payload byte pattern: b[j] = (j + off) mod 256.
// A 256-byte block repeated is cheap to build in any language (CPython:
// bytes((j + off) & 255 for j in range(256)) repeated and cut), so making
// the data costs little beside moving it.
func fillPattern(b []byte, off byte) {
	n := copy(b, patternBlock(off))
	for n < len(b) {
		n += copy(b[n:], b[:n])
	}
}

func patternBlock(off byte) []byte {
	var block [256]byte
	for j := range block {
		block[j] = byte(j) + off
	}
	return block[:]
}

// payloadArgs is task index's buffer: the output size (uint64, little
// endian), the index (uint64), then the input: PayloadIn bytes of the
// pattern at offset (31*index + seed) mod 256.
func payloadArgs(_ uint64, o Options, index int) []byte {
	in, out := PayloadSizes(o)
	n := payloadHeader + int(in)
	// The pattern, shifted so that it is right from byte 16 on, repeated
	// over the whole buffer, header included: bytes.Repeat writes its
	// buffer once, where make would zero it first (a megabyte a task).
	off := byte(uint64(index)*31+uint64(o.Seed)) - 16
	var b []byte
	if spare, ok := payloadSpares.Get().(*[]byte); ok && cap(*spare) >= n {
		b = (*spare)[:n]
		fillPattern(b, off)
	} else {
		b = bytes.Repeat(patternBlock(off), (n+255)/256)[:n]
	}
	binary.LittleEndian.PutUint64(b[:8], out)
	binary.LittleEndian.PutUint64(b[8:16], uint64(index))
	return b
}

// payloadSpares holds arguments handed back (Workload.Reuse): memory
// already faulted in, where a fresh buffer costs a page fault a page, more
// than writing the pattern.
var payloadSpares sync.Pool

func reusePayloadArgs(args []byte) {
	if cap(args) >= minReuse {
		args = args[:cap(args)]
		payloadSpares.Put(&args)
	}
}

// minReuse is the least capacity worth keeping for reuse.
const minReuse = 16 << 10

// payload makes one light pass over its input (CRC-32, IEEE, as zlib.crc32
// computes it) and returns PayloadOut bytes: the CRC as 4 little-endian
// bytes, then the pattern at offset crc mod 256 from byte 4 on (b[j] =
// (j + crc) mod 256), all cut to the output size. The output depends on
// every input byte, so no strategy can skip the transfer and keep its
// checksum. The output is written over the input once the CRC has read it,
// when it fits there: the arguments are the task's own (a fresh buffer in
// this process, the frame buffer in a worker, which sends the result before
// it reads the next task), and a megabyte allocated per task costs a pass
// of page faults and zeroing that would be counted as moving the data.
func payload(args []byte) ([]byte, error) {
	if len(args) < 16 {
		return nil, fmt.Errorf("workloads: %s: want at least 16 bytes of arguments, got %d", PayloadName, len(args))
	}
	out := binary.LittleEndian.Uint64(args[:8])
	if out > MaxPayload {
		return nil, fmt.Errorf("workloads: %s: output of %d bytes is above the %d limit", PayloadName, out, MaxPayload)
	}
	crc := crc32.ChecksumIEEE(args[16:])
	var v []byte
	if in := args[16:]; uint64(len(in)) >= out {
		v = in[:out:out]
	} else {
		v = make([]byte, out)
	}
	fillPattern(v, byte(crc))
	var c [4]byte
	binary.LittleEndian.PutUint32(c[:], crc)
	copy(v, c[:])
	return v, nil
}

func checkPayload(o Options) error {
	in, out := PayloadSizes(o)
	if in > MaxPayload || out > MaxPayload {
		return fmt.Errorf("--payload in=%d,out=%d: want at most %d bytes each way", in, out, MaxPayload)
	}
	return nil
}

// ParsePayload reads --payload: one size for both ways ("64KiB") or
// in=SIZE,out=SIZE ("in=1MiB,out=1KiB"; a side left out keeps the default).
func ParsePayload(s string) (in, out uint64, err error) {
	if s == "" {
		return DefaultPayload, DefaultPayload, nil
	}
	bad := fmt.Errorf("--payload %q: want a size such as 64KiB, or in=1MiB,out=1KiB", s)
	if n, err := ParseBytes(s); err == nil {
		if n == 0 {
			return 0, 0, bad
		}
		return n, n, nil
	}
	in, out = DefaultPayload, DefaultPayload
	seen := map[string]bool{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := ParseBytes(v)
		if !ok || err != nil || n == 0 {
			return 0, 0, bad
		}
		if seen[k] {
			return 0, 0, fmt.Errorf("--payload %q: %s given twice", s, k)
		}
		seen[k] = true
		switch k {
		case "in":
			in = n
		case "out":
			out = n
		default:
			return 0, 0, fmt.Errorf("--payload %q: unknown side %q (have in, out)", s, k)
		}
	}
	return in, out, nil
}

func init() {
	mustRegisterBuiltIn(Workload{
		Name:         PayloadName,
		Doc:          "data movement: each task receives and returns --payload bytes (default 64KiB) and CRCs them; reports bytes/s",
		DefaultSize:  "0",
		ParseSize:    func(string) (uint64, error) { return 0, nil },
		Run:          payload,
		TaskArgs:     payloadArgs,
		ReuseArgs:    reusePayloadArgs,
		CheckOptions: checkPayload,
		BytesPerTask: func(o Options) uint64 { in, out := PayloadSizes(o); return in + out },
		Python:       true,
		OptIn:        true,
	})
}
