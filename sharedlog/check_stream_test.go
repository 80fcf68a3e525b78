package sharedlog

import (
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

// repeated serves block n times over, in reads of uneven sizes.
type repeated struct {
	block []byte
	n     int
	off   int
	step  int
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	r.step = r.step%7919 + 1 // uneven read sizes cut records anywhere
	k := copy(p[:min(len(p), r.step*97)], r.block[r.off:])
	r.off += k
	if r.off == len(r.block) {
		r.off, r.n = 0, r.n-1
	}
	return k, nil
}

// Check streams: a 64 MiB log is checked with a few MiB allocated, not the
// file's size (it once read the whole file, and a 1 GiB log took 2 GB).
// Allocation is counted by the runtime, independently of Check.
func TestCheckStreams(t *testing.T) {
	const writers, records = 4, 50
	var block []byte
	for w := range writers {
		block = append(block, stream(w, records, DefaultSizes)...)
	}
	copies := (64 << 20) / len(block)
	r := &repeated{block: block, n: copies}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := Check(r, writers, records)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(block) * copies)
	if c.Bytes != size || c.Intact != writers*records || c.Duplicated != writers*records*(copies-1) || c.Torn != 0 || c.GarbageBytes != 0 {
		t.Fatalf("counts %+v for %d copies of %d records", c, copies, writers*records)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("Check allocated %d MiB for a %d MiB log, want under 8 MiB", alloc>>20, size>>20)
	}
}

// A record far larger than a read, and one claiming more than
// MaxRecordSize, are judged right whatever the reads' sizes.
func TestCheckLargeRecords(t *testing.T) {
	big := Encode(0, 0, 3*readChunk+17)
	huge := []byte("R 1 0 999999999 00000000 xyz\n")
	data := cat(big, huge, Encode(1, 0, 5))
	for name, r := range map[string]io.Reader{
		"one byte at a time": iotest.OneByteReader(&repeated{block: data, n: 1}),
		"uneven reads":       &repeated{block: data, n: 1},
	} {
		c, err := Check(r, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		if c.Intact != 2 || c.Torn != 1 || c.Lost != 0 || c.Bytes != int64(len(data)) {
			t.Errorf("%s: %+v", name, c)
		}
	}
}
