package strategies

import (
	"math"
	"time"
)

// Histogram is a log-bucketed latency histogram: fixed memory whatever the
// count, quantiles within 1.2% (100 buckets per decade from 1 ns to 10^4 s,
// each 2.3% wide, a quantile its bucket's geometric middle) and exact at
// the ends.
// A million tasks cost the same few kilobytes as a hundred.
type Histogram struct {
	counts   [bucketCount]uint64
	n        uint64
	sum      float64
	min, max time.Duration
}

const (
	bucketsPerDecade = 100
	decades          = 13 // 1 ns .. 10^13 ns
	bucketCount      = bucketsPerDecade * decades
)

func bucketOf(d time.Duration) int {
	if d < 1 {
		return 0
	}
	b := int(math.Log10(float64(d)) * bucketsPerDecade)
	return min(b, bucketCount-1)
}

// Add records one duration.
func (h *Histogram) Add(d time.Duration) {
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.counts[bucketOf(d)]++
	h.n++
	h.sum += float64(d)
}

// Count is the number of durations added.
func (h *Histogram) Count() uint64 { return h.n }

// Mean is the exact mean.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Min and Max are exact.
func (h *Histogram) Min() time.Duration { return h.min }
func (h *Histogram) Max() time.Duration { return h.max }

// Quantile returns the q-quantile (0..1): the geometric middle of the bucket
// holding it, clamped to the exact min and max; the exact min or max where
// its rank is the first or the last.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	switch {
	case rank <= 1:
		return h.min
	case rank >= h.n:
		return h.max
	}
	var seen uint64
	for b, c := range h.counts {
		seen += c
		if seen >= rank {
			v := time.Duration(math.Pow(10, (float64(b)+0.5)/bucketsPerDecade))
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}
