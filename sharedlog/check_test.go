package sharedlog

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// stream returns the records of one writer, concatenated.
func stream(writer, records int, sizes Sizes) []byte {
	var b []byte
	for seq := range records {
		b = AppendRecord(b, writer, seq, sizes.For(writer, seq))
	}
	return b
}

// interleave cuts each writer's stream into chunk-byte pieces, as a
// buffered writer's flushes would, and deals them out in turn into one
// file, as O_APPEND writes racing would land.
func interleave(chunk int, streams ...[]byte) []byte {
	var out []byte
	for more := true; more; {
		more = false
		for i, s := range streams {
			n := min(chunk, len(s))
			out = append(out, s[:n]...)
			streams[i] = s[n:]
			more = more || len(streams[i]) > 0
		}
	}
	return out
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestCheck(t *testing.T) {
	sizes := Sizes{Min: 10, Max: 300}
	r := func(w, seq int) []byte { return Encode(w, seq, sizes.For(w, seq)) }
	whole := cat(stream(0, 3, sizes), stream(1, 3, sizes))
	a := r(0, 1)
	bad := bytes.Clone(a)
	bad[len(bad)-3] = '!' // one payload byte
	// Writer 1 writes 209 bytes from offset 0 over writer 0's 360: records
	// (0,0) and (0,1) go, (0,2) stays whole.
	overlay := cat(Encode(0, 0, 100), Encode(0, 1, 100), Encode(0, 2, 100))
	copy(overlay, cat(Encode(1, 0, 150), Encode(1, 1, 20)))
	for _, tc := range []struct {
		name string
		data []byte
		want Counts // Expected, Bytes and GarbageBytes are checked apart
	}{
		{"empty", nil, Counts{Lost: 6}},
		{"whole", whole, Counts{Intact: 6}},
		{"reordered", cat(r(1, 2), r(0, 0), r(1, 0), r(0, 2), r(0, 1), r(1, 1)), Counts{Intact: 6}},
		{"missing", cat(r(0, 0), r(1, 1)), Counts{Intact: 2, Lost: 4}},
		{"duplicated", cat(whole, r(1, 2), r(1, 2)), Counts{Intact: 6, Duplicated: 2}},
		{"truncated", whole[:len(whole)-5], Counts{Intact: 5, Torn: 1, Lost: 1}},
		{"no final newline", whole[:len(whole)-1], Counts{Intact: 5, Torn: 1, Lost: 1}},
		{"garbage around", cat([]byte("xx R R 1 2\n\n"), whole, []byte("junk R 9")), Counts{Intact: 6, Torn: 3}},
		{"mid-line record", cat(a[:20], r(1, 0)), Counts{Intact: 1, Torn: 1, Lost: 5}},
		{"interleaved", cat(a[:30], r(1, 0), a[30:]), Counts{Intact: 1, Torn: 1, Lost: 5}},
		{"bad checksum", bad, Counts{Torn: 1, Lost: 6}},
		{"bad length", []byte(strings.Replace(string(a), " ", "  ", 1)), Counts{Torn: 1, Lost: 6}},
		{"longer length", cat(a[:len(a)-1], []byte("abc\n")), Counts{Torn: 1, Lost: 6}},
		{"foreign", cat(r(2, 0), r(0, 3), r(0, 0)), Counts{Intact: 1, Foreign: 2, Lost: 5}},
		{"leading zero", []byte(strings.Replace(string(a), "R 0 1", "R 00 1", 1)), Counts{Torn: 1, Lost: 6}},
		{"overwritten", overlay, Counts{Intact: 3, Lost: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(bytes.NewReader(tc.data), 2, 3)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Expected = 6
			tc.want.Bytes = int64(len(tc.data))
			tc.want.GarbageBytes = got.GarbageBytes
			if got != tc.want {
				t.Errorf("Check = %+v\nwant    %+v", got, tc.want)
			}
			if got.GarbageBytes < 0 || got.GarbageBytes > got.Bytes {
				t.Errorf("garbage %d of %d bytes", got.GarbageBytes, got.Bytes)
			}
		})
	}
}

// TestCheckSplitFlushes builds the damage the unlocked mode makes (records
// cut at buffer boundaries, pieces of other writers in between) and checks
// that Check sees it: all bytes are there, yet records are torn and lost.
func TestCheckSplitFlushes(t *testing.T) {
	const writers, records = 4, 200
	var streams [][]byte
	total := 0
	for w := range writers {
		s := stream(w, records, DefaultSizes)
		streams = append(streams, s)
		total += len(s)
	}
	data := interleave(4096, streams...)
	if len(data) != total {
		t.Fatalf("interleave lost bytes: %d of %d", len(data), total)
	}
	c, err := Check(bytes.NewReader(data), writers, records)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", c)
	if c.Torn == 0 || c.Lost == 0 || c.Intact+c.Lost != c.Expected {
		t.Errorf("split flushes not seen as damage: %+v", c)
	}
	// Nearly every chunk boundary cuts a record (a record ends exactly
	// on one only by chance), and each cut loses that one record.
	if cuts := len(data) / 4096; c.Lost < cuts/2 || c.Lost > cuts+writers {
		t.Errorf("lost %d records for %d chunk boundaries", c.Lost, cuts)
	}
	if c.Duplicated != 0 || c.Foreign != 0 {
		t.Errorf("phantom records: %+v", c)
	}
}

func TestCheckErrors(t *testing.T) {
	for _, tc := range []struct {
		name             string
		r                func() *bytes.Reader
		writers, records int
		want             error
	}{
		{"negative writers", nil, -1, 3, nil},
		{"negative records", nil, 2, -3, nil},
		{"too many", nil, 1 << 13, 1 << 13, ErrTooMany},
	} {
		_, err := Check(bytes.NewReader(nil), tc.writers, tc.records)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: Check = %v", tc.name, err)
		}
	}
	if _, err := Check(iotest.ErrReader(errors.New("disk on fire")), 1, 1); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("read error: %v", err)
	}
}

func BenchmarkCheck(b *testing.B) {
	var streams [][]byte
	for w := range 4 {
		streams = append(streams, stream(w, 500, DefaultSizes))
	}
	data := interleave(4096, streams...)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Check(bytes.NewReader(data), 4, 500); err != nil {
			b.Fatal(err)
		}
	}
}
