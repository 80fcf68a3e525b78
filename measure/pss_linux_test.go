package measure

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

func TestParseSmapsRollup(t *testing.T) {
	const full = `55d0c7a00000-7ffd3a3f1000 ---p 00000000 00:00 0                          [rollup]
Rss:               13064 kB
Pss:                3362 kB
Pss_Dirty:          3276 kB
Pss_Anon:           1608 kB
Pss_File:           1750 kB
Pss_Shmem:             4 kB
Shared_Clean:       1464 kB
`
	tests := []struct {
		name string
		in   string
		want smapsRollup
		ok   bool
	}{
		{"split", full, smapsRollup{pss: 3362 << 10, pssAnon: 1608 << 10, pssFile: 1750 << 10, pssShmem: 4 << 10, split: true}, true},
		{"no split (before Linux 5.8)", "Rss: 100 kB\nPss: 40 kB\n", smapsRollup{pss: 40 << 10}, true},
		{"no Pss", "Rss: 100 kB\n", smapsRollup{}, false},
		{"bad unit", "Pss: 40 MB\n", smapsRollup{}, false},
		{"bad number", "Pss: 4x kB\n", smapsRollup{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseSmapsRollup([]byte(tt.in))
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("got %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestPSSShares(t *testing.T) {
	tests := []struct {
		name string
		roll smapsRollup
		anon uint64
		want pssShares
	}{
		{"private anon, shared file", smapsRollup{pssAnon: 100, pssFile: 50, pssShmem: 2, split: true}, 100, pssShares{1, 52}},
		{"anon shared after fork", smapsRollup{pssAnon: 50, pssFile: 200, split: true}, 100, pssShares{0.5, 200}},
		{"no anon pages", smapsRollup{pssFile: 100, split: true}, 0, pssShares{1, 100}},
		{"unsplit: anon first", smapsRollup{pss: 150}, 100, pssShares{1, 50}},
		{"unsplit, below anon", smapsRollup{pss: 50}, 100, pssShares{0.5, 0}},
		{"clamped", smapsRollup{pssAnon: 300, split: true}, 100, pssShares{1, 0}},
	}
	for _, tt := range tests {
		if got := tt.roll.shares(tt.anon); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// treePSS is the tree's PSS as the kernel sums it (smaps_rollup, through
// gopsutil, independently of the sampler's reader): pid and its children.
func treePSS(t *testing.T, pid int) uint64 {
	t.Helper()
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		t.Fatal(err)
	}
	procs := []*process.Process{p}
	kids, err := p.Children()
	if err != nil && !errors.Is(err, process.ErrorNoChildren) {
		t.Fatal(err)
	}
	var sum uint64
	for _, q := range append(procs, kids...) {
		maps, err := q.MemoryMaps(true)
		if err != nil || len(*maps) != 1 {
			t.Fatalf("pid %d: smaps_rollup: %v", q.Pid, err)
		}
		sum += (*maps)[0].Pss << 10 // gopsutil keeps smaps' kB
	}
	return sum
}

// TestSamplerPSS holds the sampler's PSS of a tree of Go processes against
// the kernel's smaps_rollup sums: within 10%, the drift allowed between two
// reads of smaps_rollup while the processes' runtimes go on allocating.
func TestSamplerPSS(t *testing.T) {
	for _, n := range []int{0, 4} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c := startChild(t, "tree", "MEASURE_TEST_N="+strconv.Itoa(n))
			c.expect("ready")
			// The grandchildren are still starting (a race-enabled
			// runtime maps tens of MiB as it starts): compare figures of a
			// tree that has stopped growing.
			waitSettled(t, c.pid())
			const samples = 5
			taken, enough := 0, newEvent()
			s := startWatched(t, c.pid(), 5*time.Millisecond, func(reading) {
				if taken++; taken == samples {
					enough.set()
				}
			})
			waitFor(t, enough.ch, "%d samples", samples)
			rep := s.Stop()
			kernel := treePSS(t, c.pid())
			c.finish()
			const mib = 1 << 20
			t.Logf("sampler: peak PSS %.1f MiB, peak RSS %.1f MiB; smaps_rollup: PSS %.1f MiB",
				float64(rep.PeakPSSBytes)/mib, float64(rep.PeakRSSBytes)/mib, float64(kernel)/mib)
			if rel := math.Abs(float64(rep.PeakPSSBytes)-float64(kernel)) / float64(kernel); rel > 0.10 {
				t.Errorf("peak PSS %d bytes, smaps_rollup %d bytes: off by %.0f%%", rep.PeakPSSBytes, kernel, rel*100)
			}
			if rep.PeakPSSBytes >= rep.PeakRSSBytes {
				t.Errorf("PSS %d not below RSS %d for processes sharing a binary", rep.PeakPSSBytes, rep.PeakRSSBytes)
			}
		})
	}
}

// TestSamplerPSSGrowth checks the figure carried between reads of
// smaps_rollup: a child that grows by 200 MiB after sampling started must
// show it, as the kernel's PSS of the child does, within 10%.
func TestSamplerPSSGrowth(t *testing.T) {
	c := startChild(t, "alloc")
	c.expect("base")
	s, err := Start(c.pid(), 0)
	if err != nil {
		t.Fatal(err)
	}
	c.send("go")
	c.expect("ready")
	kernel := treePSS(t, c.pid())
	rep := s.Stop()
	c.finish()
	t.Logf("peak PSS %d bytes, smaps_rollup %d bytes", rep.PeakPSSBytes, kernel)
	if rel := math.Abs(float64(rep.PeakPSSBytes)-float64(kernel)) / float64(kernel); rel > 0.10 || kernel < allocBytes {
		t.Errorf("peak PSS %d bytes, smaps_rollup %d bytes (the child holds %d): off by %.0f%%", rep.PeakPSSBytes, kernel, allocBytes, rel*100)
	}
}

// waitSettled waits until the tree's PSS stops moving: two readings 20 ms
// apart within 1% of each other.
func waitSettled(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	prev := treePSS(t, pid)
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling for the condition below
		cur := treePSS(t, pid)
		if math.Abs(float64(cur)-float64(prev)) <= 0.01*float64(prev) {
			return
		}
		prev = cur
	}
	t.Fatalf("pid %d: its tree's PSS did not settle", pid)
}

// TestSampleNow: Sample measures PSS at the moment it is called, with no
// tick of the ticker since Start: a child that allocates after Start shows
// its new memory in the peak, as smaps_rollup sums it; and Sample returns
// at once once the child is gone.
func TestSampleNow(t *testing.T) {
	c := startChild(t, "alloc")
	c.expect("base")
	s, err := Start(c.pid(), time.Hour) // no tick during the test
	if err != nil {
		t.Fatal(err)
	}
	c.send("go")
	c.expect("ready")
	s.Sample()
	want := treePSS(t, c.pid())
	c.finish()
	s.Sample() // sampling has ended with the child: must not block
	rep := s.Stop()
	got := float64(rep.PeakPSSBytes)
	t.Logf("peak PSS %.1f MiB, smaps_rollup %.1f MiB", got/(1<<20), float64(want)/(1<<20))
	if math.Abs(got-float64(want)) > 0.10*float64(want) || rep.PeakPSSBytes < allocBytes {
		t.Fatalf("peak PSS %d bytes after Sample; smaps_rollup %d, the child touched %d", rep.PeakPSSBytes, want, allocBytes)
	}
}
