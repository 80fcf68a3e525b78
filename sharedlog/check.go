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

// Bounds of the streaming check. The window holds the unjudged part of the
// file: at least one whole record, so a record's payload is bounded too.
const (
	// readChunk is how much Check reads at a time.
	readChunk = 1 << 20
	// MaxRecordSize is the largest payload Check judges; a record that
	// claims more is counted torn. The window grows to hold one such record
	// at most.
	MaxRecordSize = 16 << 20
	// maxHeader bounds a record's header: "R ", three numbers of up to 9
	// digits with their spaces, the checksum and its space.
	maxHeader = 2 + 3*10 + 9
)

// Check reads a log file written by writers writers of recordsPerWriter
// records each, and counts what survived. The file may be damaged anywhere:
// Check looks for each "R " marker, accepts the record there only if it is
// exactly what Encode makes for its (writer, seq, len), and otherwise counts
// it torn and searches on from the next byte. Check fails only on a read
// error or bad arguments, never on the file's content.
//
// It streams the file through a window of about a MiB (more only while one
// large record needs it, up to MaxRecordSize), so its memory is bounded by
// that and by the table of expected records, 4 bytes each: not by the
// file's size.
func Check(r io.Reader, writers, recordsPerWriter int) (Counts, error) {
	if writers < 0 || recordsPerWriter < 0 {
		return Counts{}, fmt.Errorf("sharedlog: check: %d writers, %d records each: need non-negative", writers, recordsPerWriter)
	}
	if writers > 0 && recordsPerWriter > maxExpected/writers {
		return Counts{}, fmt.Errorf("sharedlog: check: %d x %d records: %w (max %d)", writers, recordsPerWriter, ErrTooMany, maxExpected)
	}
	c := Counts{Expected: writers * recordsPerWriter}
	seen := make([]int32, c.Expected)
	w := window{r: r, buf: make([]byte, 0, readChunk)}
	var scratch []byte
	var good int64 // bytes in intact records
	for i := 0; ; {
		k := bytes.Index(w.buf[i:], []byte("R "))
		if k < 0 {
			if w.eof {
				break
			}
			// Keep the last byte: it may be the 'R' of a marker cut by
			// the read.
			w.drop(max(len(w.buf)-1, i))
			i = 0
			if err := w.fill(0); err != nil {
				return Counts{}, err
			}
			continue
		}
		p := i + k
		// Have the whole header, then the whole record, in the window.
		if err := w.fill(p + maxHeader); err != nil {
			return Counts{}, err
		}
		if size, payload, ok := parseHeader(w.buf[p:]); ok && size <= MaxRecordSize {
			if err := w.fill(p + payload + size + 1); err != nil {
				return Counts{}, err
			}
		}
		writer, seq, n, ok := parseRecord(w.buf[p:], &scratch)
		switch {
		case !ok:
			c.Torn++
			i = p + 1
		case writer < writers && seq < recordsPerWriter:
			seen[writer*recordsPerWriter+seq]++
			good += int64(n)
			i = p + n
		default:
			c.Foreign++
			i = p + n
		}
		if i > readChunk {
			// Judged bytes need not stay: slide the window on.
			w.drop(i)
			i = 0
		}
	}
	for _, s := range seen {
		if s > 0 {
			c.Intact++
			c.Duplicated += int(s) - 1
		}
	}
	c.Bytes = w.read
	c.Lost = c.Expected - c.Intact
	c.GarbageBytes = c.Bytes - good
	return c, nil
}

// window is the part of the file Check has read and not yet let go.
type window struct {
	r    io.Reader
	buf  []byte
	read int64 // bytes read from r in all
	eof  bool
}

// drop lets go of the first n bytes of the window.
func (w *window) drop(n int) {
	w.buf = w.buf[:copy(w.buf, w.buf[n:])]
}

// fill reads until the window holds at least n bytes or the file ends; with
// n 0, it reads once, at least a byte unless the file ends.
func (w *window) fill(n int) error {
	for !w.eof && (len(w.buf) < n || n == 0) {
		if free := cap(w.buf) - len(w.buf); free < readChunk/4 || free < n-len(w.buf) {
			grown := make([]byte, len(w.buf), max(2*cap(w.buf), n+readChunk))
			copy(grown, w.buf)
			w.buf = grown
		}
		k, err := w.r.Read(w.buf[len(w.buf):cap(w.buf)])
		w.buf = w.buf[:len(w.buf)+k]
		w.read += int64(k)
		switch {
		case err == io.EOF:
			w.eof = true
		case err != nil:
			return fmt.Errorf("sharedlog: check: read: %w", err)
		}
		if n == 0 && k > 0 {
			return nil
		}
	}
	return nil
}

// parseHeader reads the header of the record b starts with and returns the
// payload's size and offset; ok is false if b does not start with a
// well-formed header.
func parseHeader(b []byte) (size, payload int, ok bool) {
	i := 2 // past "R "
	for range 3 {
		v, next, ok := parseUint(b, i)
		if !ok {
			return 0, 0, false
		}
		size, i = v, next
	}
	if len(b) < i+9 || b[i+8] != ' ' {
		return 0, 0, false
	}
	return size, i + 9, true
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
	if size > MaxRecordSize || size > len(b)-payload-1 || b[payload+size] != '\n' {
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
