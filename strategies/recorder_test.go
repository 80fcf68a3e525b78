package strategies

import (
	"math"
	"testing"
	"time"
)

// Finishing times count from the origin a strategy run by another program
// sets (its span's start), so the histogram's 1.2% is of each time since
// then, not of the program's start-up added to it.
func TestFinishTimesCountFromTheOrigin(t *testing.T) {
	rec := NewRecorder()
	origin := time.Now().Add(180 * time.Millisecond) // an interpreter's start-up later
	rec.SetOrigin(origin)
	const tasks = 100
	for i := range tasks {
		end := time.Duration(i+1) * 200 * time.Microsecond // 0.2 ms to 20 ms in
		rec.TaskAt(i, nil, nil, end, origin.Add(end))
	}
	f := rec.Outcome().Finish
	if len(f) != FinishSteps {
		t.Fatalf("%d finish quantiles, want %d", len(f), FinishSteps)
	}
	for i, got := range f {
		// The quantile's rank among the 100 ends, as Histogram ranks it.
		rank := max(int(math.Ceil(float64(i)/(FinishSteps-1)*tasks)), 1)
		want := float64(rank) * 200e-6
		if math.Abs(got/want-1) > 0.012 {
			t.Errorf("finish quantile %d: %.6f s, want %.6f s within 1.2%%", i, got, want)
		}
	}
}

// A strategy whose results reach it together at its end reports no
// finishing times.
func TestFinishTimesUnknown(t *testing.T) {
	rec := NewRecorder()
	rec.FinishTimesUnknown()
	rec.Task(0, nil, nil, time.Millisecond)
	if f := rec.Outcome().Finish; f != nil {
		t.Errorf("finish quantiles %v, want none", f)
	}
}
