package claims

import "testing"

// A ratio judged against a threshold never prints as the threshold when it
// falls short of it: the verdict and the figure would disagree.
func TestXAgainstThreshold(t *testing.T) {
	for _, tc := range []struct {
		v, threshold float64
		want         string
	}{
		{1.996, 2, "1.996×"},
		{1.994, 2, "1.99×"}, // already short of "2.00×"
		{1.0996, 1.1, "1.0996×"},
		{1.5, 2, "1.50×"},
		{2, 2, "2.00×"},
		{2.004, 2, "2.00×"}, // at or above: the threshold's own figure is right
		{31.9, 2, "31.9×"},
	} {
		if got := xAgainst(tc.v, tc.threshold); got != tc.want {
			t.Errorf("xAgainst(%v, %v) = %q, want %q", tc.v, tc.threshold, got, tc.want)
		}
	}
}

// The same for a share: an efficiency short of its threshold never prints
// as the threshold.
func TestPctAgainstThreshold(t *testing.T) {
	for _, tc := range []struct {
		v, threshold float64
		want         string
	}{
		{0.7496, 0.75, "74.96%"},
		{0.749, 0.75, "74.9%"},
		{0.745, 0.75, "74%"}, // already short of "75%"
		{0.75, 0.75, "75%"},
		{0.91, 0.75, "91%"},
	} {
		if got := pctAgainst(tc.v, tc.threshold); got != tc.want {
			t.Errorf("pctAgainst(%v, %v) = %q, want %q", tc.v, tc.threshold, got, tc.want)
		}
	}
}
