package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// A small real run: run attaches the claims its figures can test, and
// claims --from judges it again, adds the API checks and writes nothing
// without --out.
func TestClaimsFromSavedRun(t *testing.T) {
	quickExit(t)
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "run", "--workload", "cpu,io", "--task-size", "cpu=1k,io=1ms", "--tasks", "4", "--workers", "2",
		"--repeat", "1", "--warmup", "0", "--strategies", "serial,goroutines,goroutines-1cpu,pool-apply-async",
		"--out", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "results.json")
	saved, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ids := claimIDs(saved.Claims); !slices.Equal(ids, []int{1, 1, 3, 5}) {
		t.Errorf("run attached claims %v, want 1, 1, 3, 5", ids)
	}
	before, _ := os.ReadDir(dir)

	code, out, stderr := runCLI(t, "claims", "--from", path)
	if code != 0 {
		t.Fatalf("claims --from: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"The article's claims, on this machine:",
		" 1. Threads do not speed up CPU-bound work",
		" 1. Threads do speed up I/O-bound work",
		" 3. A pool of 10 runs 100 sleeping tasks",
		"4 tasks of 1ms; a pool of 2:",
		"    verdict   not measured: the claim is about a pool of 10;",
		" 5. Callbacks run in the parent process\n",
		" 7. join before close or terminate is an error",
		"    verdict   holds: Join before Close returns an error",
		" 8. Workers only run once join is called",
		"    measured  ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	// Not measured, so not judged: process per task, apply, the shared log.
	for _, absent := range []string{" 2. ", " 4. ", " 6. "} {
		if strings.Contains(out, absent) {
			t.Errorf("stdout judges a claim the run has no figures for (%q):\n%s", absent, out)
		}
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("claims --from without --out wrote files: %d entries, had %d", len(after), len(before))
	}

	// The report of the run shows the claims it attached.
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "claims, measured here") || !strings.Contains(string(page), "Threads do speed up I/O-bound work") {
		t.Error("the run's report.html has no claims section")
	}
}

// With --out, claims --from saves the run with every claim it judged. The
// saved run is hand-built, logging only, so that its report renders fast.
func TestClaimsFromWithOut(t *testing.T) {
	quickExit(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	run := &results.Run{
		SchemaVersion: results.SchemaVersion, Command: "log", Host: results.Host{CPUs: 2, OS: "linux", Arch: "amd64"},
		Logging: []results.LogMode{
			{Mode: "unlocked-split", Writers: 2, WritersKind: results.WritersProcesses, CrossProcess: true, OAppend: true,
				WriteUnit: results.WriteUnitBufferedSplit, BufferBytes: 4096, RecordsExpected: 100, RecordsIntact: 60, RecordsTorn: 40, RecordsLost: 40},
			{Mode: "locked", Writers: 2, WritersKind: results.WritersProcesses, CrossProcess: true, OAppend: true, Locked: true,
				Lock: results.LockFlock, WriteUnit: results.WriteUnitRecord, RecordsExpected: 100, RecordsIntact: 100},
		},
	}
	if err := results.WriteFile(path, run); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "judged")
	code, out, stderr := runCLI(t, "claims", "--from", path, "--out", outDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "figures   unlocked-split (Go processes, a 4.00 KiB buffer") || !strings.Contains(out, "60/100 intact, 40 torn, 40 lost") {
		t.Errorf("stdout lacks the shared-log figures:\n%s", out)
	}
	judged, err := results.ReadFile(filepath.Join(outDir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if ids := claimIDs(judged.Claims); !slices.Equal(ids, []int{5, 6, 7, 8, 8}) {
		t.Errorf("saved claims %v, want 5, 6, 7, 8, 8", ids)
	}
	page, err := os.ReadFile(filepath.Join(outDir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "claims, measured here") || !strings.Contains(string(page), "Workers only run once join is called") {
		t.Error("report.html has no claims section")
	}
	if !strings.Contains(stderr, "report: "+outDir+"/report.html") {
		t.Errorf("stderr does not say where the report is: %s", stderr)
	}
}

func claimIDs(cs []results.Claim) []int {
	ids := make([]int, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func TestClaimsBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := writeFile(t, filepath.Join(dir, "garbage.json"), "this is not json")
	foreign := writeFile(t, filepath.Join(dir, "foreign.json"), `{"name": "x"}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"--from", filepath.Join(dir, "nope.json")}, "nope.json: no such file or directory"},
		{"garbage", []string{"--from", garbage}, "not a poolbench results file"},
		{"not a results file", []string{"--from", foreign}, "foreign.json"},
		{"empty from", []string{"--from", ""}, "--from: give the path of a results.json"},
		{"from and quick", []string{"--from", garbage, "--quick"}, "--quick sets how much to measure"},
		{"stray argument", []string{"extra"}, `unknown command "extra"`},
		{"unknown flag", []string{"--tasks", "5"}, "unknown flag: --tasks"},
		{"unwritable out", []string{"--quick", "--out", "/proc/poolbench"}, "--out /proc/poolbench"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"claims"}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr: %s", code, stderr)
			}
			checkOneLine(t, stderr, tt.want)
			if stdout != "" {
				t.Errorf("stdout: %s", stdout)
			}
		})
	}
}

// The whole plan, quick: every claim is judged, and the run is saved. Under
// -race it takes over 20 s, most of it drawing the charts, so it runs only
// when asked: POOLBENCH_TEST_CLAIMS_QUICK=1 go test -race -run ClaimsQuick.
func TestClaimsQuick(t *testing.T) {
	if os.Getenv("POOLBENCH_TEST_CLAIMS_QUICK") == "" {
		t.Skip("a full claims --quick run; set POOLBENCH_TEST_CLAIMS_QUICK=1 to run it")
	}
	quickExit(t)
	dir := filepath.Join(t.TempDir(), "out")
	code, out, stderr := runCLI(t, "claims", "--quick", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Four log modes, five with python3 on the PATH.
	if run.Command != "claims" || run.Partial || len(run.Logging) < 4 || run.Config.Tasks != 40 || run.Config.Repeat != 2 {
		t.Errorf("run: command %q, partial %v, %d log modes, config %+v", run.Command, run.Partial, len(run.Logging), run.Config)
	}
	// Claim 1 twice more with python3, on CPython's own threads.
	want := []int{1, 1, 2, 3, 4, 5, 5, 6, 7, 8, 8}
	if _, err := exec.LookPath("python3"); err == nil {
		want = []int{1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 7, 8, 8}
	}
	if ids := claimIDs(run.Claims); !slices.Equal(ids, want) {
		t.Errorf("claims %v, want %v", ids, want)
	}
	for _, c := range run.Claims {
		if c.Statement == "" || c.Measurement == "" || c.Figures == "" || c.Verdict == "" || !c.Kind.Known() {
			t.Errorf("claim %d has an empty field: %+v", c.ID, c)
		}
		if !strings.Contains(out, c.Statement) {
			t.Errorf("stdout lacks claim %q", c.Statement)
		}
	}
	if !strings.Contains(stderr, "report: "+dir+"/report.html") {
		t.Errorf("stderr does not say where the report is: %s", stderr)
	}
	for _, f := range []string{"report.html", "logging.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, ".logs-*")); len(entries) > 0 {
		t.Errorf("log folder left behind: %v", entries)
	}
}

// The plan runs CPython's own serial and threads only where there is a
// python3 to run them.
func TestClaimsPlanPython(t *testing.T) {
	with, without := newClaimsPlan(true, "/usr/bin/python3"), newClaimsPlan(true, "")
	if !slices.Contains(with.run.Strategies, "py-threads") || with.run.Python != "/usr/bin/python3" || with.noPython {
		t.Errorf("with python3: strategies %v, python %q", with.run.Strategies, with.run.Python)
	}
	if slices.Contains(without.run.Strategies, "py-serial") || !without.noPython {
		t.Errorf("without python3: strategies %v", without.run.Strategies)
	}
	if with.steps() != without.steps()+2*2*with.run.Repeat {
		t.Errorf("steps %d with python3, %d without", with.steps(), without.steps())
	}
}

// printClaims gives a verdict's caveats a line of their own, and none to a
// verdict without.
func TestPrintClaimsCaveats(t *testing.T) {
	run := &results.Run{Host: results.Host{CPUs: 2}, Claims: []results.Claim{
		{ID: 3, Statement: "s3", Measurement: "m3", Figures: "f3", Kind: results.Holds, Verdict: "holds: 9.09×",
			Caveats: []string{"serial on io: noisy", "pool on io: trials either side"}},
		{ID: 7, Statement: "s7", Measurement: "m7", Figures: "f7", Kind: results.Holds, Verdict: "holds"},
	}}
	var out strings.Builder
	if err := printClaims(&out, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "    verdict   holds: 9.09×\n    caveats   serial on io: noisy; pool on io: trials either side\n    figures   f3\n") {
		t.Errorf("caveats not on their own line:\n%s", out.String())
	}
	if strings.Count(out.String(), "caveats") != 1 {
		t.Errorf("a caveats line for a verdict without:\n%s", out.String())
	}
}
