package measure

import (
	"math"
	"testing"
)

// TestSeriesThinKeepsPeaks thins a long series with one-sample spikes: every
// spike must survive, and the CPU average must keep the CPU time.
func TestSeriesThinKeepsPeaks(t *testing.T) {
	tests := []struct {
		name    string
		samples int
	}{
		{"short, untouched", 100},
		{"exactly the limit", MaxPoints},
		{"long", 10000}, // also goes through compact
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s series
			const dt = 0.01
			spikes := []int{1, tt.samples / 3, tt.samples - 2}
			var cpuArea float64
			for i := range tt.samples {
				rss, procs := uint64(100), 1
				for _, at := range spikes {
					if i == at {
						rss, procs = uint64(1000+at), 50
					}
				}
				s.add(float64(i)*dt, rss, rss, procs)
				if i%5 == 4 || i == tt.samples-1 {
					pct := float64(i % 200)
					s.closeWindow(pct)
				}
			}
			for _, p := range s.pts {
				cpuArea += p.cpu * p.w
			}
			got := s.thin(MaxPoints)
			if len(got) > MaxPoints {
				t.Fatalf("%d points, want at most %d", len(got), MaxPoints)
			}
			if tt.samples <= MaxPoints && len(got) != tt.samples {
				t.Fatalf("%d points from %d samples: thinned needlessly", len(got), tt.samples)
			}
			for _, at := range spikes {
				found := false
				for _, p := range got {
					found = found || (p.RSSBytes == uint64(1000+at) && p.Processes == 50)
				}
				if !found {
					t.Errorf("spike at sample %d lost", at)
				}
			}
			// Weights are not in results.Sample; rebuild them from the times.
			var thinArea float64
			for i, p := range got {
				end := float64(tt.samples-1) * dt
				if i+1 < len(got) {
					end = got[i+1].Seconds
				}
				thinArea += p.CPUPercent * (end - p.Seconds)
			}
			if tt.samples > MaxPoints && math.Abs(thinArea-cpuArea)/cpuArea > 0.02 {
				t.Errorf("CPU area %.1f after thinning, %.1f before", thinArea, cpuArea)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Seconds <= got[i-1].Seconds {
					t.Fatalf("times not increasing at %d: %v then %v", i, got[i-1].Seconds, got[i].Seconds)
				}
			}
		})
	}
}

// TestSeriesCompactLeavesOpenWindow checks that compaction does not merge
// samples whose CPU figure is still to come.
func TestSeriesCompactLeavesOpenWindow(t *testing.T) {
	var s series
	for i := range maxRaw - 3 {
		s.add(float64(i), 1, 1, 1)
	}
	s.closeWindow(10)
	for i := maxRaw - 3; i < maxRaw; i++ {
		s.add(float64(i), 1, 1, 1) // the last add compacts
	}
	if len(s.pts) >= maxRaw {
		t.Fatalf("not compacted: %d points", len(s.pts))
	}
	s.closeWindow(70)
	open := 0
	for _, p := range s.pts {
		if p.cpu == 70 {
			open++
		}
	}
	if open != 3 {
		t.Errorf("%d points got the last window's figure, want the 3 taken in it", open)
	}
}
