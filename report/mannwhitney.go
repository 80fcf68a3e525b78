package report

import (
	"math"
	"slices"
)

// alpha is the significance level: a difference counts when p <= 0.05, as in
// benchstat.
const alpha = 0.05

// mannWhitneyU returns the two-sided p-value of the Mann-Whitney U test of
// whether x and y come from the same distribution. It needs no assumption of
// normality, which benchmark timings rarely meet.
//
// It follows scipy.stats.mannwhitneyu with method="auto": the exact
// distribution of U when one sample has at most 8 values and there are no
// ties, else the normal approximation with tie and continuity correction.
func mannWhitneyU(x, y []float64) (u1, p float64) {
	n1, n2 := len(x), len(y)
	if n1 == 0 || n2 == 0 {
		return 0, 1
	}
	ranks, tieTerm := rank(append(slices.Clone(x), y...))
	r1 := 0.0
	for i := range n1 {
		r1 += ranks[i]
	}
	u1 = r1 - float64(n1*(n1+1))/2
	u2 := float64(n1*n2) - u1
	u := math.Max(u1, u2)
	if min(n1, n2) <= 8 && tieTerm == 0 {
		// P(U >= u) from the exact distribution, doubled for two sides.
		p = 2 * exactUpperTail(n1, n2, int(math.Round(u)))
	} else {
		n := float64(n1 + n2)
		mu := float64(n1*n2) / 2
		sigma := math.Sqrt(float64(n1*n2) / 12 * ((n + 1) - tieTerm/(n*(n-1))))
		if sigma == 0 {
			return u1, 1
		}
		z := (u - mu - 0.5) / sigma
		p = 2 * 0.5 * math.Erfc(z/math.Sqrt2)
	}
	return u1, math.Min(p, 1)
}

// rank gives average ranks (1-based) to vs, and the tie term sum(t^3 - t)
// over groups of t equal values.
func rank(vs []float64) (ranks []float64, tieTerm float64) {
	idx := make([]int, len(vs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case vs[a] < vs[b]:
			return -1
		case vs[a] > vs[b]:
			return 1
		}
		return 0
	})
	ranks = make([]float64, len(vs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && vs[idx[j+1]] == vs[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = avg
		}
		if t := float64(j - i + 1); t > 1 {
			tieTerm += t*t*t - t
		}
		i = j + 1
	}
	return ranks, tieTerm
}

// exactUpperTail is P(U >= u) under the null hypothesis for samples of n1
// and n2 values with no ties: the share of the C(n1+n2, n1) equally likely
// orderings whose U is at least u. counts[m][k] is the number of orderings
// of m values of x among the values of y giving U = k, built with the
// recurrence f(m, n, k) = f(m-1, n, k-n) + f(m, n-1, k).
func exactUpperTail(n1, n2, u int) float64 {
	// f[n][k] for the current m, over n = 0..n2.
	maxU := n1 * n2
	f := make([][]float64, n2+1)
	for n := range f {
		f[n] = make([]float64, maxU+1)
		f[n][0] = 1 // m = 0: one ordering, U = 0
	}
	for m := 1; m <= n1; m++ {
		g := make([][]float64, n2+1)
		for n := 0; n <= n2; n++ {
			g[n] = make([]float64, maxU+1)
			for k := 0; k <= m*n; k++ {
				v := 0.0
				if k-n >= 0 {
					v += f[n][k-n]
				}
				if n > 0 {
					v += g[n-1][k]
				}
				g[n][k] = v
			}
		}
		f = g
	}
	total, tail := 0.0, 0.0
	for k, c := range f[n2] {
		total += c
		if k >= u {
			tail += c
		}
	}
	return tail / total
}

// minSamples is the smallest sample size n for which n values against n
// values can reach significance at alpha at all: with n = 3 the most extreme
// ordering has p = 2/C(6,3) = 0.1, so a difference can never show. It is 4.
func minSamples() int {
	for n := 2; ; n++ {
		if 2*exactUpperTail(n, n, n*n) <= alpha {
			return n
		}
	}
}

// canReach reports whether samples of n1 and n2 values can give p <= alpha:
// whether the most extreme ordering is significant.
func canReach(n1, n2 int) bool {
	if n1 == 0 || n2 == 0 {
		return false
	}
	if min(n1, n2) > 8 {
		return true
	}
	return 2*exactUpperTail(n1, n2, n1*n2) <= alpha
}
