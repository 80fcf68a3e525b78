package sharedlog

import (
	"bytes"
	"testing"
)

// FuzzCheck feeds Check arbitrary files. It must never panic or fail on
// content, and its counts must add up.
func FuzzCheck(f *testing.F) {
	sizes := Sizes{Min: 1, Max: 40}
	f.Add(cat(stream(0, 3, sizes), stream(1, 3, sizes)), uint8(2), uint8(3))
	f.Add(Encode(0, 0, 5), uint8(1), uint8(1))
	f.Add([]byte("R 0 0 5 00000000 abcde\n"), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, writers, records uint8) {
		w, n := int(writers%8), int(records%64)
		c, err := Check(bytes.NewReader(data), w, n)
		if err != nil {
			t.Fatalf("Check failed on content: %v", err)
		}
		markers := bytes.Count(data, []byte("R "))
		switch {
		case c.Expected != w*n:
			t.Fatalf("expected %d, want %d", c.Expected, w*n)
		case c.Intact+c.Lost != c.Expected:
			t.Fatalf("intact %d + lost %d != expected %d", c.Intact, c.Lost, c.Expected)
		case c.Intact < 0 || c.Lost < 0 || c.Torn < 0 || c.Duplicated < 0 || c.Foreign < 0:
			t.Fatalf("negative count: %+v", c)
		case c.Intact+c.Duplicated+c.Foreign+c.Torn > markers:
			t.Fatalf("%+v from %d markers", c, markers)
		case c.Bytes != int64(len(data)) || c.GarbageBytes < 0 || c.GarbageBytes > c.Bytes:
			t.Fatalf("bytes %d garbage %d of %d", c.Bytes, c.GarbageBytes, len(data))
		}
		// Whatever was intact re-encodes to itself: appending a clean
		// copy of every expected record makes every record intact.
		var clean []byte
		for wr := range w {
			clean = append(clean, stream(wr, n, sizes)...)
		}
		c2, err := Check(bytes.NewReader(append(bytes.Clone(data), append([]byte("\n"), clean...)...)), w, n)
		if err != nil {
			t.Fatal(err)
		}
		if c2.Lost != 0 || c2.Intact != c.Expected {
			t.Fatalf("clean tail not all intact: %+v", c2)
		}
	})
}
