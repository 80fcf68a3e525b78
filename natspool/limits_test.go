package natspool

import (
	"errors"
	"testing"
)

func TestFits(t *testing.T) {
	const limit = 1000
	for _, tc := range []struct {
		name         string
		args, result int
		fits         bool
	}{
		{"small", 10, 10, true},
		{"arguments at the limit", limit - len("fn") - msgOverhead, 0, true},
		{"arguments a byte over", limit - len("fn") - msgOverhead + 1, 0, false},
		{"result at the limit", 0, limit - resultOverhead, true},
		{"result a byte over", 0, limit - resultOverhead + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Fits("fn", tc.args, tc.result, limit)
			if tc.fits != (err == nil) {
				t.Fatalf("Fits(%d, %d) = %v, want fits %v", tc.args, tc.result, err, tc.fits)
			}
			if err != nil && !errors.Is(err, ErrFrameTooLarge) {
				t.Errorf("%v does not wrap ErrFrameTooLarge", err)
			}
		})
	}
}
