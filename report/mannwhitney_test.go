package report

import (
	"math"
	"testing"
)

func TestMannWhitneyU(t *testing.T) {
	cases := []struct {
		name   string
		x, y   []float64
		wantU1 float64
		wantP  float64
	}{
		// scipy.stats.mannwhitneyu documentation example (exact, no ties):
		// males [19 22 16 29 24], females [20 11 17 12]. Ranks of the males
		// in the pooled sample are 5, 7, 3, 9, 8: R1 = 32, U1 = 32 - 15 = 17,
		// U2 = 20 - 17 = 3. Orderings with U <= 3: 1 + 1 + 2 + 3 = 7 of
		// C(9, 4) = 126, so p = 2 * 7/126 = 0.1111.
		{"scipy exact", []float64{19, 22, 16, 29, 24}, []float64{20, 11, 17, 12}, 17, 2.0 * 7 / 126},
		// Fully separated samples of 3: p = 2/C(6,3) = 0.1, the smallest
		// possible, which is why benchstat asks for 4 samples.
		{"3 vs 3 separated", []float64{1, 2, 3}, []float64{4, 5, 6}, 0, 0.1},
		// 4 vs 4 separated: 2/C(8,4) = 2/70.
		{"4 vs 4 separated", []float64{10, 11, 12, 13}, []float64{1, 2, 3, 4}, 16, 2.0 / 70},
		// With ties the normal approximation applies. x = [1 2 2 3],
		// y = [2 3 4 5]: pooled ranks 1, 3, 3, 3, 5.5, 5.5, 7, 8 (three 2s
		// share rank 3, two 3s share 5.5). R1 = 1+3+3+5.5 = 12.5, U1 = 2.5,
		// U = 13.5. Tie term = (27-3) + (8-2) = 30, n = 8:
		// sigma^2 = 16/12 * (9 - 30/56) = 11.2857, sigma = 3.35942.
		// z = (13.5 - 8 - 0.5)/3.35942 = 1.48835, p = erfc(z/sqrt2) = 0.13666.
		{"ties, asymptotic", []float64{1, 2, 2, 3}, []float64{2, 3, 4, 5}, 2.5, 0.13666},
		{"identical", []float64{5, 5, 5}, []float64{5, 5, 5}, 4.5, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u1, p := mannWhitneyU(c.x, c.y)
			if u1 != c.wantU1 {
				t.Errorf("U1 = %v, want %v", u1, c.wantU1)
			}
			if math.Abs(p-c.wantP) > 5e-5 {
				t.Errorf("p = %.6f, want %.6f", p, c.wantP)
			}
		})
	}
}

func TestMinSamples(t *testing.T) {
	if n := minSamples(); n != 4 {
		t.Errorf("minSamples() = %d, want 4", n)
	}
	if canReach(3, 3) || !canReach(4, 4) || canReach(3, 4) || !canReach(10, 12) {
		t.Error("canReach disagrees with the exact smallest p-values (3v3 0.1, 3v4 0.057, 4v4 0.029)")
	}
}
