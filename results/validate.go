package results

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Bounds past which a figure is not a measurement but damage (a hand edit,
// a bit flip, a bug): no run lasts 100 days, no machine has 64 PiB of
// memory, no count reaches 10^12.
const (
	maxSeconds = 1e7
	maxBytes   = 1 << 56
	maxPercent = 1e6 // of one core: a million cores
	maxCount   = 1e12
)

// Validate checks that every figure in run is a number a measurement can
// give: finite, not negative, below the bounds above, and each summary's
// minimum, median and maximum in order. It names the first figure that is
// not, by its path in the JSON.
func Validate(run *Run) error {
	if run == nil {
		return fmt.Errorf("results: no run")
	}
	return check(reflect.ValueOf(run).Elem(), "", "")
}

// signed are the fields that may hold negative numbers.
var signed = map[string]bool{"config.seed": true}

func check(v reflect.Value, path, unit string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return check(v.Elem(), path, unit)
	case reflect.Struct:
		if s, ok := v.Interface().(Summary); ok && s.N > 0 {
			if err := inOrder(path, s); err != nil {
				return err
			}
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" || f.Type.String() == "time.Time" {
				continue
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			if err := check(v.Field(i), p, unitOf(name, unit)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := check(v.Index(i), path+"["+strconv.Itoa(i)+"]", unit); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if err := check(iter.Value(), path+"."+fmt.Sprint(iter.Key().Interface()), unit); err != nil {
				return err
			}
		}
	case reflect.Float32, reflect.Float64:
		return number(path, unit, v.Float())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if signed[path] {
			return nil
		}
		return number(path, unit, float64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return number(path, unit, float64(v.Uint()))
	}
	return nil
}

// unitOf is the unit a field's numbers are in: its own name says so, or
// it is part of a figure whose name does (wall_seconds.median).
func unitOf(name, parent string) string {
	switch {
	case strings.HasSuffix(name, "seconds") || name == "t":
		return "seconds"
	case strings.HasSuffix(name, "bytes") || name == "rss" || name == "pss":
		return "bytes"
	case name == "cpu" || strings.HasSuffix(name, "percent"):
		return "percent"
	case name == "n" || name == "count" || name == "repeat":
		return "" // a count, even inside a figure in seconds
	}
	return parent
}

func number(path, unit string, x float64) error {
	limit := map[string]float64{"seconds": maxSeconds, "bytes": maxBytes, "percent": maxPercent}[unit]
	if limit == 0 {
		limit = maxCount
	}
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return fmt.Errorf("results: %s is %v, not a measurement", path, x)
	case x < 0:
		return fmt.Errorf("results: %s is %v: a measurement cannot be negative", path, x)
	case x > limit:
		at := fmt.Sprintf("%.4g", limit)
		if unit != "" {
			at += " " + unit
		}
		return fmt.Errorf("results: %s is %.4g, beyond any real measurement (at most %s)", path, x, at)
	}
	return nil
}

func inOrder(path string, s Summary) error {
	// A mean of equal values can miss them by a rounding: allow for it.
	slack := 1e-9 * math.Max(math.Abs(s.Max), 1e-300)
	below := func(a, b float64) bool { return a > b+slack }
	if below(s.Min, s.Median) || below(s.Median, s.Max) || below(s.Min, s.Mean) || below(s.Mean, s.Max) {
		return fmt.Errorf("results: %s: min %v, median %v, mean %v, max %v are out of order", path, s.Min, s.Median, s.Mean, s.Max)
	}
	return nil
}
