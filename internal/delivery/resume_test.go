package delivery

import (
	"slices"
	"testing"
)

// A second range goes on where the first stopped, in the middle of a
// group too; once every group is yielded, ranges yield nothing and ask
// for nothing more.
func TestResumableGoesOnWhereItStopped(t *testing.T) {
	groups := [][]int{{1, 2, 3}, {4}, {5, 6}}
	asked := 0
	seq := Resumable(func() ([]int, bool) {
		if asked == len(groups) {
			return nil, false
		}
		asked++
		return groups[asked-1], true
	})
	var got []int
	for r := range seq {
		got = append(got, r)
		if r == 2 {
			break
		}
	}
	for r := range seq {
		got = append(got, r)
		if r == 4 {
			break
		}
	}
	got = slices.AppendSeq(got, seq)
	if want := []int{1, 2, 3, 4, 5, 6}; !slices.Equal(got, want) {
		t.Fatalf("three ranges yielded %v, want %v", got, want)
	}
	for r := range seq {
		t.Fatalf("a range after the last result yielded %d", r)
	}
	if asked != len(groups) {
		t.Fatalf("asked for %d groups, want %d", asked, len(groups))
	}
}
