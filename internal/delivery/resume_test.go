package delivery

import (
	"iter"
	"slices"
	"testing"
)

// A second range goes on where the first stopped, in the middle of a
// group too; once every group is yielded, ranges yield nothing and ask
// for nothing more.
func TestResumableGoesOnWhereItStopped(t *testing.T) {
	groups := [][]int{{1, 2, 3}, {4}, {5, 6}}
	seq, asked := resumableOver(groups)
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
	if *asked != len(groups) {
		t.Fatalf("asked for %d groups, want %d", *asked, len(groups))
	}
}

// A range inside a range over the same sequence takes the next results,
// as a nested loop over one Python iterator does, and the outer range
// goes on after them.
func TestResumableNestedRangeTakesTheNextResults(t *testing.T) {
	seq, _ := resumableOver([][]int{{1, 2}, {3, 4, 5}, {6}})
	var outer, inner []int
	for r := range seq {
		outer = append(outer, r)
		for r := range seq {
			inner = append(inner, r)
			if len(inner)%2 == 0 {
				break
			}
		}
	}
	if want := []int{1, 4}; !slices.Equal(outer, want) {
		t.Errorf("the outer range yielded %v, want %v", outer, want)
	}
	if want := []int{2, 3, 5, 6}; !slices.Equal(inner, want) {
		t.Errorf("the inner ranges yielded %v, want %v", inner, want)
	}
}

// resumableOver is Resumable over groups, one at each ask, and how many
// it has been asked for.
func resumableOver(groups [][]int) (seq iter.Seq[int], asked *int) {
	asked = new(int)
	return Resumable(func() ([]int, bool) {
		if *asked == len(groups) {
			return nil, false
		}
		*asked++
		return groups[*asked-1], true
	}), asked
}
