package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

var errNilRun = errors.New("report: no run to render")

// timeUnit picks the unit a duration of secs seconds reads best in, so that
// a median and its spread share one unit, as hyperfine prints them.
func timeUnit(secs float64) (name string, scale float64) {
	a := math.Abs(secs)
	switch {
	case a == 0 || a >= 1:
		return "s", 1
	case a >= 1e-3:
		return "ms", 1e3
	case a >= 1e-6:
		return "µs", 1e6
	default:
		return "ns", 1e9
	}
}

// num formats v with about four significant digits and no exponent.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.1f", v)
	case a >= 10:
		return fmt.Sprintf("%.2f", v)
	case a >= 0.001:
		return fmt.Sprintf("%.3f", v)
	default:
		// Three significant digits, still without an exponent: 0.0000546.
		decimals := 2 - int(math.Floor(math.Log10(a)))
		return strconv.FormatFloat(v, 'f', decimals, 64)
	}
}

// duration formats secs in the unit that suits it.
func duration(secs float64) string {
	u, s := timeUnit(secs)
	return num(secs*s) + " " + u
}

// durationIn formats secs in the unit chosen for ref.
func durationIn(secs, ref float64) string {
	u, s := timeUnit(ref)
	return num(secs*s) + " " + u
}

// bytesIEC formats a byte count in binary units (KiB, MiB, ...), as free(1)
// and the kernel report memory.
func bytesIEC(b float64) string {
	const k = 1024
	if b < k {
		return fmt.Sprintf("%.0f B", b)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	v := b / k
	i := 0
	for v >= k && i < len(units)-1 {
		v /= k
		i++
	}
	return num(v) + " " + units[i]
}

// percent formats a fraction (0.14) as a percentage ("14%").
func percent(f float64) string {
	p := f * 100
	if math.Abs(p) < 10 && p != math.Trunc(p) {
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// percentOver formats f, which is over limit, as a percentage with one
// decimal, or as many more as it takes (up to four) not to print a figure
// just over the limit as the limit itself: "10.02%", not "10.0%".
func percentOver(f, limit float64) string {
	for prec := 1; ; prec++ {
		s := strconv.FormatFloat(f*100, 'f', prec, 64)
		if v, _ := strconv.ParseFloat(s, 64); v > limit*100 || prec == 4 {
			return s + "%"
		}
	}
}

// signedPercent formats a change such as +4.2% or -12%.
func signedPercent(f float64) string {
	s := percent(f)
	if f > 0 {
		return "+" + s
	}
	return s
}

// rate formats a per-second figure.
func rate(v float64) string {
	if v == 0 {
		return "0"
	}
	return num(v)
}

// dash stands in a cell for a figure the run does not have.
const dash = "—"

// camel turns a strategy name such as pool-apply-async into PoolApplyAsync,
// the shape of a Go benchmark name.
func camel(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool {
		return r == '-' || r == '_' || r == ' ' || r == '.' || r == '/'
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
