package sharedlog

import (
	"hash/crc32"
	"strconv"
)

// A record is one line:
//
//	R <writer> <seq> <len> <crc32c> <payload>\n
//
// with writer, seq and len in decimal, len the payload's length, and the
// checksum (8 lowercase hex digits) the CRC-32C of "<writer> <seq> <len> "
// followed by the payload. The payload is printable, deterministic
// pseudo-random bytes seeded by (writer, seq), so a checker can rebuild what
// each record should hold. Its alphabet has no 'R', space or newline: in an
// undamaged file every "R " starts a record, so the checker can find the
// next record after garbage anywhere in a line, not only after a newline.

// alphabet is the payload's 64 characters: no 'R', ' ' or '\n'.
const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQSTUVWXYZ-_."

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Sizes is the range of payload sizes in bytes, both ends included. A
// record's size is drawn from it, deterministically for each (writer, seq).
type Sizes struct {
	Min, Max int
}

// DefaultSizes is 100 B to 4 KiB: records both well under and around the
// 4 KiB buffer of the unlocked writers, so that some are split across
// flushes.
var DefaultSizes = Sizes{Min: 100, Max: 4096}

// For returns the payload size of record (writer, seq). It assumes
// 0 <= Min <= Max.
func (s Sizes) For(writer, seq int) int {
	span := uint64(s.Max - s.Min + 1)
	return s.Min + int(mix(seed(writer, seq)^0x5157)%span)
}

// Encode returns record (writer, seq) with a payload of size bytes. writer,
// seq and size must be non-negative.
func Encode(writer, seq, size int) []byte {
	return AppendRecord(make([]byte, 0, size+48), writer, seq, size)
}

// Record returns record (writer, seq) with its size drawn from sizes: what a
// worker hands back in the callback mode.
func Record(writer, seq int, sizes Sizes) []byte {
	return Encode(writer, seq, sizes.For(writer, seq))
}

// AppendRecord appends record (writer, seq) with a payload of size bytes to
// dst and returns the extended slice, so that a writer can reuse one buffer.
func AppendRecord(dst []byte, writer, seq, size int) []byte {
	dst = append(dst, 'R', ' ')
	fields := len(dst)
	dst = strconv.AppendInt(dst, int64(writer), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(seq), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(size), 10)
	dst = append(dst, ' ')
	crc := crc32.Update(0, castagnoli, dst[fields:])
	sumAt := len(dst)
	dst = append(dst, "00000000 "...)
	payloadAt := len(dst)
	dst = appendPayload(dst, writer, seq, size)
	crc = crc32.Update(crc, castagnoli, dst[payloadAt:])
	putHex32(dst[sumAt:sumAt+8], crc)
	return append(dst, '\n')
}

// appendPayload appends the size payload bytes of record (writer, seq).
func appendPayload(dst []byte, writer, seq, size int) []byte {
	state := seed(writer, seq)
	for size > 0 {
		state += 0x9e3779b97f4a7c15
		v := mix(state)
		for k := 0; k < 10 && size > 0; k++ { // 10 six-bit draws per word
			dst = append(dst, alphabet[v&63])
			v >>= 6
			size--
		}
	}
	return dst
}

func seed(writer, seq int) uint64 {
	return uint64(writer)<<32 ^ uint64(uint32(seq)) ^ 0x243f6a8885a308d3
}

// mix is splitmix64's finaliser: a cheap, well-spread hash of one word.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func putHex32(dst []byte, v uint32) {
	const hex = "0123456789abcdef"
	for i := 7; i >= 0; i-- {
		dst[i] = hex[v&15]
		v >>= 4
	}
}
