package workloads

import (
	"math"
	"testing"
)

// The largest task's share of a batch, for the ideal: skewed's from its
// drawn round counts, summed apart here; equal tasks' 1/tasks.
func TestLongestTaskShare(t *testing.T) {
	skewed, err := Lookup(SkewedName)
	if err != nil {
		t.Fatal(err)
	}
	const mean, tasks = 1000, 6
	o := Options{Seed: 7, Skew: 2}
	var sum, most uint64
	for i := range tasks {
		r := SkewedRounds(mean, o, i)
		sum += r
		most = max(most, r)
	}
	if got, want := skewed.LongestTaskShare(mean, o, tasks), float64(most)/float64(sum); got != want || want <= 1.0/tasks {
		t.Errorf("skewed, sigma 2: share %g, want %g (above 1/%d)", got, want, tasks)
	}
	if got := skewed.LongestTaskShare(mean, Options{Seed: 7}, tasks); math.Abs(got-1.0/tasks) > 1e-12 {
		t.Errorf("skewed, sigma 0: share %g, want 1/%d", got, tasks)
	}
	cpu, err := Lookup(CPUName)
	if err != nil {
		t.Fatal(err)
	}
	if got := cpu.LongestTaskShare(mean, o, 4); got != 0.25 {
		t.Errorf("cpu, 4 tasks: share %g, want 0.25", got)
	}
}
