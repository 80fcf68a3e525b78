package sharedlog

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Counts is what Check found in a log file.
type Counts struct {
	// Expected is writers x records: every (writer, seq) that was written.
	Expected int
	// Intact counts the expected records found whole at least once.
	Intact int
	// Torn counts record markers whose record fails: cut short, overwritten,
	// interleaved with other bytes, or with a bad length or checksum.
	Torn int
	// Lost counts expected records never found intact: Intact+Lost ==
	// Expected.
	Lost int
	// Duplicated counts intact copies beyond the first of a record.
	Duplicated int
	// Foreign counts well-formed records outside the expected writers and
	// sequence numbers: zero unless the file holds another run's records.
	Foreign int
	// Bytes is the file's size; GarbageBytes the bytes outside intact
	// records (foreign ones included).
	Bytes, GarbageBytes int64
}

// maxExpected bounds writers x records, which sizes Check's table.
const maxExpected = 1 << 24

// ErrTooMany is returned by Check for more expected records than it tracks.
var ErrTooMany = errors.New("too many expected records")

// Check reads a log file written by writers writers of recordsPerWriter
// records each, and counts what survived. The file may be damaged anywhere:
// Check looks for each "R " marker, accepts the record there only if it is
// exactly what Encode makes for its (writer, seq, len), and otherwise counts
// it torn and searches on from the next byte. Check fails only on a read
// error or bad arguments, never on the file's content.
func Check(r io.Reader, writers, recordsPerWriter int) (Counts, error) {
	if writers < 0 || recordsPerWriter < 0 {
		return Counts{}, fmt.Errorf("sharedlog: check: %d writers, %d records each: need non-negative", writers, recordsPerWriter)
	}
	if writers > 0 && recordsPerWriter > maxExpected/writers {
		return Counts{}, fmt.Errorf("sharedlog: check: %d x %d records: %w (max %d)", writers, recordsPerWriter, ErrTooMany, maxExpected)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return Counts{}, fmt.Errorf("sharedlog: check: read: %w", err)
	}
	c := Counts{Expected: writers * recordsPerWriter, Bytes: int64(len(data))}
	seen := make([]int32, c.Expected)
	var scratch []byte
	var good int64 // bytes in intact records
	for i := 0; ; {
		k := bytes.Index(data[i:], []byte("R "))
		if k < 0 {
			break
		}
		p := i + k
		writer, seq, n, ok := parseRecord(data[p:], &scratch)
		switch {
		case !ok:
			c.Torn++
			i = p + 1
			continue
		case writer < writers && seq < recordsPerWriter:
			seen[writer*recordsPerWriter+seq]++
			good += int64(n)
		default:
			c.Foreign++
		}
		i = p + n
	}
	for _, s := range seen {
		if s > 0 {
			c.Intact++
			c.Duplicated += int(s) - 1
		}
	}
	c.Lost = c.Expected - c.Intact
	c.GarbageBytes = c.Bytes - good
	return c, nil
}

// parseRecord reports whether b starts with a whole, correct record, and if
// so its writer, seq and length in bytes. scratch is reused to rebuild the
// expected payload.
func parseRecord(b []byte, scratch *[]byte) (writer, seq, n int, ok bool) {
	i := 2 // past "R "
	var size int
	for _, f := range []*int{&writer, &seq, &size} {
		v, next, ok := parseUint(b, i)
		if !ok {
			return 0, 0, 0, false
		}
		*f, i = v, next
	}
	fieldsEnd := i
	if len(b) < i+9 || b[i+8] != ' ' {
		return 0, 0, 0, false
	}
	sum, ok := parseHex32(b[i : i+8])
	if !ok {
		return 0, 0, 0, false
	}
	payload := i + 9
	if size > len(b)-payload-1 || b[payload+size] != '\n' {
		return 0, 0, 0, false
	}
	crc := crc32.Update(0, castagnoli, b[2:fieldsEnd])
	crc = crc32.Update(crc, castagnoli, b[payload:payload+size])
	if crc != sum {
		return 0, 0, 0, false
	}
	*scratch = appendPayload((*scratch)[:0], writer, seq, size)
	if !bytes.Equal(*scratch, b[payload:payload+size]) {
		return 0, 0, 0, false
	}
	return writer, seq, payload + size + 1, true
}

// parseUint reads a decimal of 1 to 9 digits at b[i:] followed by a space,
// and returns it and the index past the space. Leading zeros are refused, so
// a record has one spelling only. Nine digits keep it far from
// overflow; no run writes a billion records.
func parseUint(b []byte, i int) (v, next int, ok bool) {
	start := i
	for i < len(b) && i-start < 10 && '0' <= b[i] && b[i] <= '9' {
		v = v*10 + int(b[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 9 || (digits > 1 && b[start] == '0') || i >= len(b) || b[i] != ' ' {
		return 0, 0, false
	}
	return v, i + 1, true
}

func parseHex32(b []byte) (uint32, bool) {
	var v uint32
	for _, ch := range b {
		switch {
		case '0' <= ch && ch <= '9':
			v = v<<4 | uint32(ch-'0')
		case 'a' <= ch && ch <= 'f':
			v = v<<4 | uint32(ch-'a'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
