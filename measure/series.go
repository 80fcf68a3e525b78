package measure

import "github.com/poolbench/poolbench/results"

// MaxPoints bounds the time series a Report carries: a chart cannot show
// more, and a results file holds one series per trial.
const MaxPoints = 300

// maxRaw bounds the memory of a long sampling run: when the series reaches
// it, adjacent points are merged in pairs (the same merge as the final
// thinning), so the series costs a few hundred KiB however long it runs.
const maxRaw = 4096

// point is one sample, or several merged.
type point struct {
	t     float64 // seconds since Start of the reading (the earliest, if merged)
	w     float64 // seconds since the previous reading: the weight of its CPU figure
	rss   uint64
	pss   uint64
	procs int
	cpu   float64
}

// merge keeps the peaks of RSS and process count, so that thinning never
// hides a peak. CPU percent is a rate, so it is averaged, weighted by time:
// the area under the CPU curve stays the CPU time used, where the maximum of
// short windows would overstate it.
func merge(a, b point) point {
	out := point{t: min(a.t, b.t), w: a.w + b.w, rss: max(a.rss, b.rss), pss: max(a.pss, b.pss), procs: max(a.procs, b.procs)}
	if out.w > 0 {
		out.cpu = (a.cpu*a.w + b.cpu*b.w) / out.w
	} else {
		out.cpu = max(a.cpu, b.cpu)
	}
	return out
}

// series records samples. CPU is read less often than RSS, so a sample's CPU
// figure is set when the CPU window it belongs to closes: every sample taken
// in a window gets that window's average.
type series struct {
	pts     []point
	pending int     // index of the first point whose CPU window is still open
	prevT   float64 // time of the latest reading
}

func (s *series) add(t float64, rss, pss uint64, procs int) {
	w := 0.0
	if len(s.pts) > 0 {
		w = max(t-s.prevT, 0)
	}
	s.prevT = t
	s.pts = append(s.pts, point{t: t, w: w, rss: rss, pss: pss, procs: procs})
	if len(s.pts) >= maxRaw {
		s.compact()
	}
}

// closeWindow sets the CPU figure of every sample since the last call.
func (s *series) closeWindow(cpuPercent float64) {
	for i := s.pending; i < len(s.pts); i++ {
		s.pts[i].cpu = cpuPercent
	}
	s.pending = len(s.pts)
}

// compact merges pairs of points whose CPU window has closed.
func (s *series) compact() {
	done := s.pending &^ 1
	j := 0
	for i := 0; i < done; i += 2 {
		s.pts[j] = merge(s.pts[i], s.pts[i+1])
		j++
	}
	j += copy(s.pts[j:], s.pts[done:])
	s.pts = s.pts[:j]
	s.pending -= done / 2
}

// thin returns at most n samples: the time span is cut into n equal buckets
// and the points in each are merged.
func (s *series) thin(n int) []results.Sample {
	pts := s.pts
	if len(pts) > n && n > 0 {
		first, last := pts[0].t, pts[len(pts)-1].t
		span := last - first
		out := make([]point, 0, n)
		bucket := -1
		for _, p := range pts {
			b := n - 1
			if span > 0 {
				b = min(int((p.t-first)/span*float64(n)), n-1)
			}
			if b == bucket {
				out[len(out)-1] = merge(out[len(out)-1], p)
				continue
			}
			bucket = b
			out = append(out, p)
		}
		pts = out
	}
	samples := make([]results.Sample, len(pts))
	for i, p := range pts {
		samples[i] = results.Sample{Seconds: p.t, RSSBytes: p.rss, PSSBytes: p.pss, CPUPercent: p.cpu, Processes: p.procs}
	}
	return samples
}
