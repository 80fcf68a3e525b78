package strategies

import "testing"

// Large values are checked through their CRCs, not in full: a change of any
// one byte, or of the length, must still change the checksum.
func TestChecksumOfLargeValues(t *testing.T) {
	base := make([]byte, 1<<20)
	for i := range base {
		base[i] = byte(i * 7)
	}
	sum := func(v []byte) string {
		r := NewRecorder()
		r.Task(3, v, nil, 0)
		return r.Outcome().Checksum
	}
	want := sum(base)
	if again := sum(append([]byte(nil), base...)); again != want {
		t.Fatalf("the same value gave %s and %s", want, again)
	}
	for _, at := range []int{0, hashInFull, len(base) / 2, len(base) - 1} {
		v := append([]byte(nil), base...)
		v[at] ^= 1
		if sum(v) == want {
			t.Errorf("flipping byte %d left the checksum as it was", at)
		}
	}
	if sum(base[:len(base)-1]) == want {
		t.Error("a shorter value gave the same checksum")
	}
}
