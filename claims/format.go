package claims

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// x formats a ratio with three significant digits: 0.945×, 9.11×, 99.1×.
func x(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return "n/a"
	}
	return sig3(v) + "×"
}

// xKnown is xAgainst for a speedup, which 0 means is unknown (no
// baseline, or every task failed): a dash then, never a figure. A
// threshold of 0 is none.
func xKnown(v, threshold float64) string {
	if v == 0 {
		return "—"
	}
	return xAgainst(v, threshold)
}

// xAgainst is x for a ratio judged against threshold, with as many more
// decimals as it takes for a ratio below the threshold not to print as
// the threshold itself: 1.996 under 2 is "1.996×", never "2.00×".
func xAgainst(v, threshold float64) string {
	s := x(v)
	if v >= threshold || s != x(threshold) {
		return s
	}
	for d := 3; d < 9; d++ {
		if a, b := strconv.FormatFloat(v, 'f', d, 64), strconv.FormatFloat(threshold, 'f', d, 64); a != b {
			return a + "×"
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64) + "×"
}

func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1 || a == 0:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

// dur formats a duration in seconds in the unit that suits it.
func dur(secs float64) string {
	a := math.Abs(secs)
	switch {
	case a == 0 || a >= 1:
		return sig3(secs) + " s"
	case a >= 1e-3:
		return sig3(secs*1e3) + " ms"
	default:
		return sig3(secs*1e6) + " µs"
	}
}

// size formats a byte count in binary units.
func size(b float64) string {
	switch {
	case b >= 1<<30:
		return sig3(b/(1<<30)) + " GiB"
	case b >= 1<<20:
		return sig3(b/(1<<20)) + " MiB"
	case b >= 1<<10:
		return sig3(b/(1<<10)) + " KiB"
	}
	return strconv.FormatFloat(b, 'f', 0, 64) + " B"
}

func pct(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// pctAgainst is pct for a share judged against threshold, with the
// decimals it takes for one below the threshold not to print as it:
// 0.7496 under 0.75 is "74.96%", never "75%".
func pctAgainst(v, threshold float64) string {
	s := pct(v)
	if v >= threshold || s != pct(threshold) {
		return s
	}
	for d := 1; d < 7; d++ {
		if a, b := fmt.Sprintf("%.*f%%", d, 100*v), fmt.Sprintf("%.*f%%", d, 100*threshold); a != b {
			return a
		}
	}
	return fmt.Sprintf("%g%%", 100*v)
}

// ratio is a/b, +Inf when only b is zero and 1 when both are.
func ratio(a, b float64) float64 {
	switch {
	case b > 0:
		return a / b
	case a > 0:
		return math.Inf(1)
	}
	return 1
}

func pids(p []int) string {
	s := make([]string, len(p))
	for i, v := range p {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}

// plural is "1 task", "2 tasks".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
