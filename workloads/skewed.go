package workloads

import (
	"fmt"
	"math"
)

// SkewedName is the name of the uneven compute-bound workload.
const SkewedName = "skewed"

// DefaultSkew is the sigma of skewed's task lengths unless --skew says
// otherwise: with sigma 1, one task in a hundred is about six times the
// mean, the stragglers a scheduler has to cope with.
const DefaultSkew = 1.0

// maxSkew keeps a task's length within what a run can finish: at sigma 3 a
// one-in-a-thousand task is already about 100 times the mean.
const maxSkew = 3.0

// SkewedRounds is the SHA-256 round count of task index, log-normal with
// mean `mean` and sigma o.Skew, drawn from the seed and the index only:
//
//	x  = seed + index * 0x9E3779B97F4A7C15          (mod 2^64)
//	u1 = ((splitmix64(x)     >> 11) + 1) / 2^53     in (0, 1]
//	u2 =  (splitmix64(x + 1) >> 11)      / 2^53     in [0, 1)
//	z  = sqrt(-2 ln u1) * cos(2 pi u2)              (Box-Muller)
//	rounds = max(1, floor(mean * exp(sigma z - sigma^2/2) + 0.5))
//
// The -sigma^2/2 term keeps the mean at `mean`, so the total work of a run
// follows --task-size whatever the skew.
func SkewedRounds(mean uint64, o Options, index int) uint64 {
	x := uint64(o.Seed) + uint64(index)*0x9E3779B97F4A7C15
	u1 := (float64(splitmix64(x)>>11) + 1) / (1 << 53)
	u2 := float64(splitmix64(x+1)>>11) / (1 << 53)
	z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
	sigma := o.Skew
	r := math.Floor(float64(mean)*math.Exp(sigma*z-sigma*sigma/2) + 0.5)
	return uint64(min(max(r, 1), 1<<40))
}

// skewedArgs gives task index the cpu workload's layout with its own round
// count, so a worker runs the cpu chain and the checksum is cpu's.
func skewedArgs(mean uint64, o Options, index int) []byte {
	return Args(SkewedRounds(mean, o, index), uint64(index))
}

// skewedLongest is the largest task's share of a batch's rounds.
func skewedLongest(mean uint64, o Options, tasks int) float64 {
	var sum, most uint64
	for i := range tasks {
		r := SkewedRounds(mean, o, i)
		sum += r
		most = max(most, r)
	}
	if sum == 0 {
		return 0
	}
	return float64(most) / float64(sum)
}

func checkSkew(o Options) error {
	if math.IsNaN(o.Skew) || o.Skew < 0 || o.Skew > maxSkew {
		return fmt.Errorf("--skew %g: want a sigma from 0 (every task the mean) to %g", o.Skew, maxSkew)
	}
	return nil
}

func init() {
	mustRegisterBuiltIn(Workload{
		Name:         SkewedName,
		Doc:          "uneven compute: cpu's SHA-256 chain with log-normal round counts (--skew sigma, mean --task-size); shows stragglers",
		DefaultSize:  "250k",
		ParseSize:    parseRounds,
		Run:          cpu,
		Bound:        BoundCPU,
		LongestShare: skewedLongest,
		TaskArgs:     skewedArgs,
		CheckOptions: checkSkew,
		Python:       true,
		OptIn:        true,
	})
}
