//go:build linux

package measure

import (
	"encoding/binary"
	"os"
	"slices"
	"strconv"
	"testing"
)

func TestParseStat(t *testing.T) {
	tail := " 20 0 7 0 2310 1234567 40 18446744073709551615 1 1 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	tests := []struct {
		name string
		in   string
		want statFields
		ok   bool
	}{
		{"plain", "42 (sleep) S 7 42 7 0 -1 4194304 100 0 0 0 11 12 13 14" + tail,
			statFields{state: 'S', ppid: 7, utime: 11, stime: 12, cutime: 13, cstime: 14, rss: 40}, true},
		{"comm with spaces and parens", "42 (a) b (c)) Z 1 42 7 0 -1 4194304 100 0 0 0 1 2 3 4" + tail,
			statFields{state: 'Z', ppid: 1, utime: 1, stime: 2, cutime: 3, cstime: 4, rss: 40}, true},
		{"truncated", "42 (sleep) S 7 42 7 0 -1 4194304 100 0 0 0 11 12", statFields{}, false},
		{"no comm", "42 sleep S 7", statFields{}, false},
		{"garbage number", "42 (x) S 7 42 7 0 -1 4194304 100 0 0 0 1x 12 13 14" + tail, statFields{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseStat([]byte(tt.in))
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("parseStat = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseStatm(t *testing.T) {
	tests := []struct {
		in   string
		want statmFields
		ok   bool
	}{
		{"128 47 40 19 0 42 0\n", statmFields{128, 47, 40}, true},
		{"0 0 0 0 0 0 0\n", statmFields{}, true},
		{"128 47 40\n", statmFields{128, 47, 40}, true},
		{"12", statmFields{}, false},
		{"12 4", statmFields{}, false},
		{"a 1 2", statmFields{}, false},
		{"1 2 x 4", statmFields{}, false},
	}
	for _, tt := range tests {
		got, ok := parseStatm([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseStatm(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseLastPID(t *testing.T) {
	if pid, ok := parseLastPID([]byte("0.28 0.22 0.09 4/100 9819\n")); !ok || pid != 9819 {
		t.Errorf("got %d, %v", pid, ok)
	}
	if _, ok := parseLastPID([]byte("")); ok {
		t.Error("empty input parsed")
	}
}

func TestDirentPIDs(t *testing.T) {
	var buf []byte
	for _, name := range []string{".", "..", "1", "self", "4242", "sys", "17"} {
		rec := make([]byte, (19+len(name)+1+7)&^7)
		binary.NativeEndian.PutUint16(rec[16:], uint16(len(rec)))
		copy(rec[19:], name)
		buf = append(buf, rec...)
	}
	var got []int
	direntPIDs(buf, func(pid int) { got = append(got, pid) })
	if want := []int{1, 4242, 17}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestProcListing checks the reader's listings of the live /proc against
// os.ReadDir: a full listing knows every pid, and a listing positioned at a
// pid lists exactly the pids from there on.
func TestProcListing(t *testing.T) {
	r, _, err := newTreeReader(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	pr := r.(*procReader)
	if !pr.seekable {
		t.Skip("this kernel's /proc cannot be listed from a pid")
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	// This process and its parent live throughout; others may come and go.
	from := os.Getppid()
	listFrom := func(from int) []int {
		pr.fresh = pr.fresh[:0]
		clear(pr.others)
		if err := pr.scan(from); err != nil {
			t.Fatal(err)
		}
		got := slices.Clone(pr.fresh)
		for pid := range pr.tree {
			if pid >= from {
				got = append(got, pid)
			}
		}
		slices.Sort(got)
		return got
	}
	all := listFrom(1)
	if !slices.Contains(all, os.Getpid()) || !slices.Contains(all, from) {
		t.Fatalf("full listing lacks this process or its parent: %v", all)
	}
	if len(all) < len(pids)/2 || len(all) > 2*len(pids) {
		t.Errorf("full listing has %d pids, os.ReadDir %d", len(all), len(pids))
	}
	ranged := listFrom(from)
	if ranged[0] != from {
		t.Errorf("listing from %d starts at %d", from, ranged[0])
	}
	var want []int
	for _, pid := range all {
		if pid >= from {
			want = append(want, pid)
		}
	}
	// Allow for processes that started or ended in between.
	if d := len(ranged) - len(want); d > 3 || d < -3 {
		t.Errorf("listing from %d: %v; full listing from there: %v", from, ranged, want)
	}
}
