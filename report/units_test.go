package report

import "testing"

// A CV just over the limit must not print as the limit: "10.0% > 10%"
// reads as a contradiction.
func TestPercentOver(t *testing.T) {
	for _, c := range []struct {
		f, limit float64
		want     string
	}{
		{0.153, 0.10, "15.3%"},
		{0.1004, 0.10, "10.04%"},
		{0.10004, 0.10, "10.004%"},
		{0.1000001, 0.10, "10.0000%"}, // four decimals at most
		{0.1049, 0.10, "10.5%"},
	} {
		if got := percentOver(c.f, c.limit); got != c.want {
			t.Errorf("percentOver(%v, %v) = %q, want %q", c.f, c.limit, got, c.want)
		}
	}
}
