package procpool

import (
	"bytes"
	"context"
	"testing"
)

var wordCounts = FuncWith("test.wordcounts", JSONCodec{}, func(ctx context.Context, words []string) (map[string]int, error) {
	m := map[string]int{}
	for _, w := range words {
		m[w]++
	}
	return m, nil
})

// TestJSONCodecEncodesAMapTheSameEveryTime: a map result encodes to the same
// bytes on every call, and decodes back.
func TestJSONCodecEncodesAMapTheSameEveryTime(t *testing.T) {
	args, err := ArgsFromJSON(wordCounts.Name(), []byte(`["a","b","c","d","e","f","g","h","a"]`))
	if err != nil {
		t.Fatal(err)
	}
	first, err := Run(wordCounts.Name(), args)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := Run(wordCounts.Name(), args)
		if err != nil || !bytes.Equal(again, first) {
			t.Fatalf("encoded %q then %q (%v)", first, again, err)
		}
	}
	m, err := wordCounts.Decode(first)
	if err != nil || m["a"] != 2 || len(m) != 8 {
		t.Errorf("decoded %v, %v", m, err)
	}
}
