package measure

import (
	"bufio"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

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

// TestPSSBookDue holds the rationing of passes: a pass at the first
// reading after new members joined, within the budget; otherwise one every
// pssMinGap.
func TestPSSBookDue(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	join := func(b *pssBook) { b.joined() }
	tests := []struct {
		name  string
		setup func(b *pssBook)
		at    time.Time
		want  bool
	}{
		{"nothing new, too soon", func(b *pssBook) {}, ms(50), false},
		{"nothing new, pssMinGap on", func(b *pssBook) {}, ms(100), true},
		{"joined in this reading", join, ms(20), false},
		{"joined in the last reading", func(b *pssBook) { join(b); b.sampled() }, ms(20), true},
		{"joined before, and more now", func(b *pssBook) { join(b); b.sampled(); join(b) }, ms(20), true},
		{"joined before, over budget", func(b *pssBook) { b.spent = 0.1; join(b); b.sampled() }, ms(20), false},
		{"over budget, pssMinGap on", func(b *pssBook) { b.spent = 0.1 }, ms(200), false},
		{"budget earned back", func(b *pssBook) { b.spent = 0.1 }, ms(10000), true},
		{"asked for, over budget", func(b *pssBook) { b.spent = 0.1; b.force = true }, ms(1), true},
	}
	if b := (pssBook{}); !b.due(t0) {
		t.Error("the first reading: no pass due")
	}
	// Each case starts after a pass at t0 that cost 1 ms.
	for _, tt := range tests {
		var b pssBook
		b.passed(t0, 1e-3, 1)
		b.sampled()
		tt.setup(&b)
		if got := b.due(tt.at); got != tt.want {
			t.Errorf("%s: due = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A pass reads every member at the first reading; after it, members that
// joined in an earlier reading but not those of its own, which os/exec
// may not have exec'd yet.
func TestPSSBookReads(t *testing.T) {
	var b pssBook
	first := b.joined()
	if !b.reads(first) {
		t.Error("the first pass skips the tree sampling found")
	}
	b.passed(time.Unix(1000, 0), 0, 1)
	b.sampled()
	earlier := b.joined()
	b.sampled()
	now := b.joined()
	if !b.reads(earlier) || b.reads(now) {
		t.Errorf("reads a member of an earlier reading: %v, of this one: %v; want true, false", b.reads(earlier), b.reads(now))
	}
	b.passed(time.Unix(1001, 0), 0, 1)
	if b.sampled(); !b.pending {
		t.Error("a member skipped by a pass does not await the next one")
	}
}

// The first pass reads the tree sampling found: nothing awaits the next.
func TestPSSBookFirstPassLeavesNothingPending(t *testing.T) {
	var b pssBook
	b.joined()
	b.joined()
	t0 := time.Unix(1000, 0)
	b.passed(t0, 1e-3, 2)
	if b.sampled(); b.pending || b.due(t0.Add(10*time.Millisecond)) {
		t.Error("a second pass is due at the next sample, though nothing joined")
	}
}

// Credit a cheap tree leaves unspent lapses beyond pssBurst: after a
// minute of cheap passes, a dear one is not followed by another at once.
func TestPSSBookCreditLapses(t *testing.T) {
	var b pssBook
	t0 := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	b.passed(t0, 1e-4, 1)
	b.passed(at(time.Minute), 1e-4, 1)
	b.joined()
	b.sampled()
	if !b.due(at(time.Minute + 10*time.Millisecond)) {
		t.Fatal("no pass for new members within the budget")
	}
	b.passed(at(time.Minute+10*time.Millisecond), 15e-3, 100) // a hundred workers
	b.joined()
	b.sampled()
	if b.due(at(time.Minute + 20*time.Millisecond)) {
		t.Error("a second 15 ms pass 10 ms after the first: a minute's unspent budget was saved up")
	}
}

// A member read counts its anonymous pages at its share and its file pages
// as measured; one not yet read, its anonymous pages if it was exec'd, and
// nothing if it may share them with its parent.
func TestPSSEstimate(t *testing.T) {
	var b pssBook
	b.passed(time.Unix(1000, 0), 0, 1)
	read := &member{anonBytes: 100, pss: pssShares{anon: 0.25, file: 40}, pssPassed: true}
	if got := b.estimate(read); got != 65 {
		t.Errorf("a member read: %d bytes, want 65", got)
	}
	if got := b.estimate(&member{anonBytes: 100, execd: true}); got != 100 {
		t.Errorf("an exec'd member not yet read: %d bytes, want its 100 anonymous", got)
	}
	if got := b.estimate(&member{anonBytes: 100}); got != 0 {
		t.Errorf("a forked member not yet read: %d bytes, want 0", got)
	}
}

func TestStatArgStart(t *testing.T) {
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	// The runtime makes os.Args from the arguments where the kernel put
	// them, without copying: the first starts at arg_start.
	want := uint64(uintptr(unsafe.Pointer(unsafe.StringData(os.Args[0]))))
	if got := statArgStart(self); got != want {
		t.Fatalf("arg_start of this process: %#x, want %#x, where os.Args[0] is", got, want)
	}
	fields := "123 (a (b) c) S" + strings.Repeat(" 7", 44) + " 4242 9 9 9"
	if got := statArgStart([]byte(fields)); got != 4242 {
		t.Errorf("field 48 of %q: %d, want 4242", fields, got)
	}
	if got := statArgStart([]byte("123 (x) S 1 2 3")); got != 0 {
		t.Errorf("a short line: %d, want 0", got)
	}
}

// realPython is the interpreter python3 runs, not a wrapper script that
// starts it (pyenv's shims run helpers of their own first, which a test
// sampling from before the exec would see).
func realPython(t *testing.T) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3:", err)
	}
	out, err := exec.Command(python, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("%s: %v", python, err)
	}
	return strings.TrimSpace(string(out))
}

// forkTreePy holds 64 MiB of its own, then forks four children that touch
// none of it: copy-on-write, the tree holds the 64 MiB once.
const forkTreePy = `
import os, signal, sys
mem = bytearray(b"\x01") * (64 << 20)
print("base", flush=True)
sys.stdin.readline()
kids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        signal.pause()
        os._exit(0)
    kids.append(pid)
print("ready", flush=True)
sys.stdin.read()
for k in kids:
    os.kill(k, signal.SIGKILL)
for k in kids:
    os.waitpid(k, 0)
`

// forkTree starts argv (forkTreePy, perhaps behind a shell) in a process
// group of its own, killed with the test, and returns it with a way to
// write a line to it and one to expect a line from it.
func forkTree(t *testing.T, argv ...string) (cmd *exec.Cmd, send func(), expect func(string)) {
	t.Helper()
	cmd = exec.Command(argv[0], argv[1:]...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	// A group of its own, so that the children go with their parent
	// whatever state the test leaves them in.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	lines := bufio.NewReader(out)
	expect = func(want string) {
		t.Helper()
		if line, err := lines.ReadString('\n'); err != nil || line != want+"\n" {
			t.Fatalf("python said %q, want %q: %v", line, want, err)
		}
	}
	send = func() {
		t.Helper()
		if _, err := io.WriteString(stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	return cmd, send, expect
}

// TestSamplerPSSForkedChildren holds the peak PSS of a parent and its
// children forked without exec (CPython's fork start method) against the
// kernel's smaps_rollup sum: the pages they share count once, before a
// pass has read the children as after; also where the parent was found as
// a shell that then exec'd python3, so that the name and memory layout it
// was found with are not its children's.
func TestSamplerPSSForkedChildren(t *testing.T) {
	python := realPython(t)
	for _, tt := range []struct {
		name  string
		argv  []string
		execs bool // the root is a shell, exec'ing python3 on the first "go"
	}{
		{"python3 as the root", []string{python, "-c", forkTreePy}, false},
		{"a shell that execs python3", []string{"sh", "-c", `read x; exec "$0" -c "$1"`, python, forkTreePy}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd, send, expect := forkTree(t, tt.argv...)
			if !tt.execs {
				expect("base")
			}
			// The root alone is read at Start; the children join after.
			const after = 10
			var ready atomic.Bool
			taken, enough := 0, newEvent()
			s := startWatched(t, cmd.Process.Pid, 5*time.Millisecond, func(reading) {
				if ready.Load() {
					if taken++; taken == after {
						enough.set()
					}
				}
			})
			if tt.execs {
				send()
				expect("base")
			}
			send()
			expect("ready")
			ready.Store(true)
			waitFor(t, enough.ch, "%d samples of the forked tree", after)
			rep := s.Stop()
			kernel := treePSS(t, cmd.Process.Pid)
			const mib = 1 << 20
			t.Logf("sampler: peak PSS %.1f MiB, peak RSS %.1f MiB, %d processes; smaps_rollup: PSS %.1f MiB",
				float64(rep.PeakPSSBytes)/mib, float64(rep.PeakRSSBytes)/mib, rep.PeakProcesses, float64(kernel)/mib)
			if rep.PeakProcesses != 5 {
				t.Fatalf("saw at most %d processes, want the parent and its 4 children", rep.PeakProcesses)
			}
			if rel := (float64(rep.PeakPSSBytes) - float64(kernel)) / float64(kernel); rel > 0.10 {
				t.Errorf("peak PSS %d bytes, smaps_rollup %d bytes: %.0f%% over", rep.PeakPSSBytes, kernel, rel*100)
			}
			if rep.PeakPSSBytes < 64*mib {
				t.Errorf("peak PSS %d bytes: less than the 64 MiB the parent holds", rep.PeakPSSBytes)
			}
		})
	}
}

// Children exec'd into another program count their anonymous pages from
// the sample that finds them, before a pass reads them: the first reading
// of four such children, each holding 32 MiB, is near the kernel's sum.
func TestSamplerPSSExecdChildrenBeforeTheirPass(t *testing.T) {
	python := realPython(t)
	c := startChild(t, "pyexec", "MEASURE_TEST_N=4", "MEASURE_TEST_PYTHON="+python)
	r, _, err := newTreeReader(c.pid()) // its pass reads the child alone
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	c.send("go")
	c.expect("ready")
	rd, err := r.sample(false) // finds the four: none read by a pass yet
	if err != nil {
		t.Fatal(err)
	}
	kernel := treePSS(t, c.pid())
	const mib = 1 << 20
	t.Logf("first reading with the children: PSS %.1f MiB, %d processes; smaps_rollup: %.1f MiB",
		float64(rd.pssBytes)/mib, rd.procs, float64(kernel)/mib)
	if rd.procs != 5 {
		t.Fatalf("%d processes in the reading, want the child and its 4", rd.procs)
	}
	if rel := (float64(rd.pssBytes) - float64(kernel)) / float64(kernel); rel < -0.10 || rel > 0.10 {
		t.Errorf("PSS %d bytes before a pass, smaps_rollup %d bytes: off by %.0f%%", rd.pssBytes, kernel, rel*100)
	}
}

// A pass in the reading that finds a parent's fork children reads them
// with their parent: they have maps of their own, unlike a child os/exec
// has not exec'd yet. Read apart, the parent's share of the pages they now
// share fell to a fifth while the children counted nothing, and the tree
// read as a quarter of what the kernel counts (18 MiB against 79).
func TestPSSPassReadsNewForkChildrenWithTheirParent(t *testing.T) {
	needKcmp(t)
	cmd, send, expect := forkTree(t, realPython(t), "-c", forkTreePy)
	expect("base")
	tr, first, err := newTreeReader(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	r := tr.(*procReader)
	send()
	expect("ready")
	const mib = 1 << 20
	r.passNext() // a pass in the very reading that finds the children
	found, err := r.sample(false)
	if err != nil {
		t.Fatal(err)
	}
	r.passNext()
	next, err := r.sample(false)
	if err != nil {
		t.Fatal(err)
	}
	kernel := treePSS(t, cmd.Process.Pid)
	t.Logf("PSS: %.1f MiB alone, %.1f MiB as the children are found, %.1f MiB at the pass after; smaps_rollup %.1f MiB",
		float64(first.pssBytes)/mib, float64(found.pssBytes)/mib, float64(next.pssBytes)/mib, float64(kernel)/mib)
	if found.procs != 5 {
		t.Fatalf("%d processes in the reading, want the parent and its 4 children", found.procs)
	}
	for _, rd := range []struct {
		name string
		pss  uint64
	}{{"as the children are found", found.pssBytes}, {"at the pass after", next.pssBytes}} {
		if rel := math.Abs(float64(rd.pss)-float64(kernel)) / float64(kernel); rel > 0.10 {
			t.Errorf("PSS %.1f MiB %s, smaps_rollup %.1f MiB: %.0f%% apart", float64(rd.pss)/mib, rd.name, float64(kernel)/mib, rel*100)
		}
	}
}

// needKcmp skips a test of what kcmp tells where it cannot be asked (a
// seccomp filter, as a container's default profile has).
func needKcmp(t *testing.T) {
	t.Helper()
	if _, known := sharesParentsMap(&member{pid: os.Getpid(), ppid: os.Getpid()}); !known {
		t.Skip("kcmp cannot be asked here: a new child is left out of the pass that finds it instead")
	}
}

// sharesParentsMap tells a process running in its parent's memory map
// (here a thread of this one, as a child os/exec has not exec'd yet shares
// it) from a child forked with a map of its own.
func TestSharesParentsMap(t *testing.T) {
	needKcmp(t)
	tids := make(chan int)
	release := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- syscall.Gettid()
		<-release
	}()
	tid := <-tids
	defer close(release)
	if shares, _ := sharesParentsMap(&member{pid: tid, ppid: os.Getpid()}); !shares {
		t.Errorf("a thread of this process (%d) reads as having a map of its own", tid)
	}
	python := realPython(t)
	cmd := exec.Command(python, "-c", `import os, sys, signal
pid = os.fork()
if pid == 0:
    signal.pause()
print(pid, flush=True)
sys.stdin.read()
os.kill(pid, signal.SIGKILL)`)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	child, _ := strconv.Atoi(strings.TrimSpace(line))
	if shares, _ := sharesParentsMap(&member{pid: child, ppid: cmd.Process.Pid}); shares {
		t.Errorf("a child forked by python3 reads as running in its parent's map")
	}
}

// vforkSlowC holds 64 MiB, then vforks a child that waits 400 ms in its
// parent's memory map before it execs, as a child os/exec started on a
// loaded machine may: every pass until then must leave it out, or the
// parent's pages count twice.
const vforkSlowC = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
	size_t n = 64u << 20;
	char *m = malloc(n);
	memset(m, 1, n);
	printf("base\n");
	fflush(stdout);
	char buf[16];
	if (!fgets(buf, sizeof buf, stdin)) return 1;
	pid_t pid = vfork();
	if (pid == 0) {
		usleep(400000);
		execl("/bin/sleep", "sleep", "1", (char *)0);
		_exit(127);
	}
	printf("execd\n");
	fflush(stdout);
	waitpid(pid, 0, 0);
	return m[n - 1] - 1;
}
`

func TestSamplerPSSChildStillInItsParentsMap(t *testing.T) {
	needKcmp(t)
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) to build a child that lingers before its exec")
	}
	dir := t.TempDir()
	src, bin := filepath.Join(dir, "vforkslow.c"), filepath.Join(dir, "vforkslow")
	if err := os.WriteFile(src, []byte(vforkSlowC), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-O1", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	cmd, send, expect := forkTree(t, bin)
	expect("base")
	// Samples every 10 ms: some fall in the 400 ms the child lingers,
	// with passes due (a new member, then every 100 ms).
	s := startWatched(t, cmd.Process.Pid, 10*time.Millisecond, func(reading) {})
	send()
	expect("execd") // vfork returns in the parent once the child has exec'd
	rep := s.Stop()
	const mib = 1 << 20
	t.Logf("peak PSS %.1f MiB, peak RSS %.1f MiB, %d processes", float64(rep.PeakPSSBytes)/mib, float64(rep.PeakRSSBytes)/mib, rep.PeakProcesses)
	if rep.PeakProcesses != 2 {
		t.Fatalf("saw at most %d processes, want the parent and its child", rep.PeakProcesses)
	}
	if rep.PeakPSSBytes > 96*mib {
		t.Errorf("peak PSS %.1f MiB: the parent's 64 MiB counted twice", float64(rep.PeakPSSBytes)/mib)
	}
}
