package sharedlog

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"testing"
)

func TestEncodeFormat(t *testing.T) {
	for _, tc := range []struct{ writer, seq, size int }{
		{0, 0, 0}, {0, 0, 1}, {3, 17, 100}, {9, 999, 4096}, {123456, 7654321, 37},
	} {
		rec := Encode(tc.writer, tc.seq, tc.size)
		line, ok := bytes.CutSuffix(rec, []byte("\n"))
		if !ok || bytes.IndexByte(line, '\n') >= 0 {
			t.Fatalf("%v: not one line: %q", tc, rec)
		}
		f := strings.SplitN(string(line), " ", 6)
		if len(f) != 6 || f[0] != "R" {
			t.Fatalf("%v: bad fields %q", tc, f)
		}
		want := []string{strconv.Itoa(tc.writer), strconv.Itoa(tc.seq), strconv.Itoa(tc.size)}
		if f[1] != want[0] || f[2] != want[1] || f[3] != want[2] {
			t.Errorf("%v: header %q", tc, f[:4])
		}
		payload := f[5]
		if len(payload) != tc.size {
			t.Errorf("%v: payload %d bytes", tc, len(payload))
		}
		if strings.ContainsAny(payload, "R \n") {
			t.Errorf("%v: payload holds a marker byte: %q", tc, payload)
		}
		sum := crc32.Checksum([]byte(strings.Join(want, " ")+" "+payload), crc32.MakeTable(crc32.Castagnoli))
		if f[4] != fmt.Sprintf("%08x", sum) {
			t.Errorf("%v: checksum %s, want %08x", tc, f[4], sum)
		}
		if again := Encode(tc.writer, tc.seq, tc.size); !bytes.Equal(again, rec) {
			t.Errorf("%v: not deterministic", tc)
		}
	}
	if bytes.Equal(Encode(1, 2, 200)[20:], Encode(2, 1, 200)[20:]) {
		t.Error("records (1,2) and (2,1) share a payload")
	}
}

func TestSizesFor(t *testing.T) {
	s := Sizes{Min: 100, Max: 4096}
	lo, hi := s.Max, s.Min
	for w := range 10 {
		for seq := range 1000 {
			n := s.For(w, seq)
			if n < s.Min || n > s.Max {
				t.Fatalf("For(%d, %d) = %d, outside %v", w, seq, n, s)
			}
			if n != s.For(w, seq) {
				t.Fatal("For is not deterministic")
			}
			lo, hi = min(lo, n), max(hi, n)
		}
	}
	// 10,000 draws spread over the whole range.
	if lo > s.Min+50 || hi < s.Max-50 {
		t.Errorf("draws span only %d..%d", lo, hi)
	}
	if got := (Sizes{Min: 7, Max: 7}).For(3, 4); got != 7 {
		t.Errorf("fixed size: %d", got)
	}
}

func BenchmarkEncode(b *testing.B) {
	var buf []byte
	b.SetBytes(int64(len(Encode(0, 0, 2048))))
	for b.Loop() {
		buf = AppendRecord(buf[:0], 3, 42, 2048)
	}
}
