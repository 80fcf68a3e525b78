package sharedlog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// small is a configuration quick enough for -race.
func small(t *testing.T) Config {
	return Config{Dir: t.TempDir(), Writers: 4, Records: 60, Sizes: Sizes{Min: 100, Max: 5000}}
}

// streamBytes returns the bytes each writer of cfg writes.
func streamBytes(cfg Config) []int64 {
	var n []int64
	for w := range cfg.Writers {
		n = append(n, int64(len(stream(w, cfg.Records, cfg.Sizes))))
	}
	return n
}

func sum(xs []int64) (s int64) {
	for _, x := range xs {
		s += x
	}
	return s
}

// The modes that serialise writers lose nothing, ever.
func TestSafeModes(t *testing.T) {
	for _, mode := range []Mode{Locked, Mutex, Channel} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := small(t)
			lm, err := Run(context.Background(), mode, cfg)
			if err != nil {
				t.Fatal(err)
			}
			want := cfg.Writers * cfg.Records
			if lm.Mode != string(mode) || lm.Writers != cfg.Writers || lm.RecordsExpected != want {
				t.Errorf("result header %+v", lm)
			}
			if lm.RecordsIntact != want || lm.RecordsTorn != 0 || lm.RecordsLost != 0 || lm.RecordsDuplicated != 0 {
				t.Errorf("%s damaged the log: %+v", mode, lm)
			}
			if b := sum(streamBytes(cfg)); lm.FileBytes != b {
				t.Errorf("file %d bytes, want %d", lm.FileBytes, b)
			}
			if lm.WallSeconds <= 0 || lm.RecordsPerSecond <= 0 || lm.Note == "" {
				t.Errorf("figures missing: %+v", lm)
			}
			logPath, _ := paths(cfg.Dir, mode)
			if _, err := os.Stat(logPath); err != nil {
				t.Errorf("log file not kept: %v", err)
			}
		})
	}
}

// With O_APPEND no byte is lost, however the records are cut: the file holds
// exactly what the writers wrote, and the counts add up. Whether split
// records are torn depends on scheduling, so it is logged, not asserted.
func TestUnlockedSplit(t *testing.T) {
	cfg := small(t)
	lm, err := RunProcesses(context.Background(), UnlockedSplit, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("intact %d torn %d lost %d of %d", lm.RecordsIntact, lm.RecordsTorn, lm.RecordsLost, lm.RecordsExpected)
	if b := sum(streamBytes(cfg)); lm.FileBytes != b {
		t.Errorf("file %d bytes, want all %d written", lm.FileBytes, b)
	}
	if lm.RecordsIntact+lm.RecordsLost != lm.RecordsExpected || lm.RecordsDuplicated != 0 {
		t.Errorf("counts do not add up: %+v", lm)
	}
}

// Without O_APPEND every writer starts at offset 0, so the file is as long as
// the longest writer's output and cannot hold everyone's records: some are
// lost, whatever the scheduling.
func TestUnlockedNoAppend(t *testing.T) {
	cfg := small(t)
	lm, err := RunProcesses(context.Background(), UnlockedNoAppend, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("intact %d torn %d lost %d of %d", lm.RecordsIntact, lm.RecordsTorn, lm.RecordsLost, lm.RecordsExpected)
	var longest int64
	for _, b := range streamBytes(cfg) {
		longest = max(longest, b)
	}
	if lm.FileBytes != longest {
		t.Errorf("file %d bytes, want the longest writer's %d", lm.FileBytes, longest)
	}
	if lm.RecordsLost == 0 || lm.RecordsIntact+lm.RecordsLost != lm.RecordsExpected {
		t.Errorf("overwrites not seen: %+v", lm)
	}
}

// Jobs run in-process too: locked jobs from goroutines keep the file whole.
func TestJobInProcess(t *testing.T) {
	dir := t.TempDir()
	logPath, lockPath := paths(dir, Locked)
	sizes := Sizes{Min: 10, Max: 5000}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for w := range 3 {
		wg.Go(func() {
			job := Job{Mode: Locked, Path: logPath, LockPath: lockPath, Writer: w, Records: 40, Sizes: sizes, BufferSize: 4096}
			errs[w] = job.Run(context.Background())
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Check(f, 3, 40)
	if err != nil {
		t.Fatal(err)
	}
	if c.Intact != 120 || c.Torn != 0 || c.GarbageBytes != 0 {
		t.Errorf("%+v", c)
	}
	bad := Job{Mode: Mutex, Path: logPath, BufferSize: 4096}
	if err := bad.Run(context.Background()); !errors.Is(err, ErrNotProcessMode) {
		t.Errorf("job in mode mutex: %v", err)
	}
}

// The callback mode's halves: workers make records, one writer appends them.
func TestCallbackPieces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "callback.log")
	sw, err := NewSingleWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan []byte)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for seq := range 25 {
				results <- Record(w, seq, DefaultSizes)
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	for rec := range results { // the "callback", one at a time
		if err := sw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Check(strings.NewReader(string(data)), 4, 25)
	if err != nil {
		t.Fatal(err)
	}
	if c.Intact != 100 || c.Torn != 0 || c.GarbageBytes != 0 {
		t.Errorf("%+v", c)
	}
}

func TestRunErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ok := Config{Dir: t.TempDir(), Writers: 1, Records: 1}
	with := func(f func(*Config)) Config { c := ok; f(&c); return c }
	for _, tc := range []struct {
		name string
		mode Mode
		cfg  Config
		want error
		text string
	}{
		{"negative writers", Mutex, with(func(c *Config) { c.Writers = -1 }), nil, "writers -1"},
		{"negative records", Locked, with(func(c *Config) { c.Records = -5 }), nil, "records -5"},
		{"min over max", Mutex, with(func(c *Config) { c.Sizes = Sizes{Min: 50, Max: 10} }), nil, "sizes 50..10"},
		{"zero min", UnlockedWhole, with(func(c *Config) { c.Sizes = Sizes{Max: 10} }), nil, "sizes 0..10"},
		{"too many", Channel, with(func(c *Config) { c.Writers, c.Records = 1<<13, 1<<13 }), ErrTooMany, ""},
		{"folder is a file", Mutex, with(func(c *Config) { c.Dir = filepath.Join(file, "logs") }), nil, "log folder"},
		{"folder is a file, processes", Locked, with(func(c *Config) { c.Dir = filepath.Join(file, "logs") }), nil, "log folder"},
		{"callback, folder is a file", Callback, with(func(c *Config) { c.Dir = filepath.Join(file, "logs") }), nil, "log folder"},
		{"callback, records too large", Callback, with(func(c *Config) { c.Sizes = Sizes{Min: 1, Max: maxRecordSize + 1} }), nil, "max <="},
		{"records too large to check", Mutex, with(func(c *Config) { c.Sizes = Sizes{Min: 1, Max: MaxRecordSize + 1} }), nil, "max <="},
		{"unknown", Mode("shouting"), ok, ErrUnknownMode, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.mode, tc.cfg)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("Run = %v, want %v %q", err, tc.want, tc.text)
			}
		})
	}
	if _, err := RunProcesses(context.Background(), Mutex, ok); !errors.Is(err, ErrNotProcessMode) {
		t.Errorf("RunProcesses(mutex) = %v", err)
	}
	if _, err := RunGoroutines(context.Background(), Locked, ok); !errors.Is(err, ErrNotGoroutineMode) {
		t.Errorf("RunGoroutines(locked) = %v", err)
	}
	if _, err := RunPython(context.Background(), Locked, ok); !errors.Is(err, ErrNotPythonMode) {
		t.Errorf("RunPython(locked) = %v", err)
	}
	if _, err := ParseMode("Locked"); !errors.Is(err, ErrUnknownMode) {
		t.Errorf("ParseMode is not exact: %v", err)
	}
	for _, m := range Modes() {
		if got, err := ParseMode(string(m)); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %q, %v", m, got, err)
		}
	}
}

// An interrupted process run returns promptly with the context's error and
// leaves no writer process behind, running or unreaped.
func TestRunProcessesCancelled(t *testing.T) {
	for _, mode := range []Mode{Locked, UnlockedSplit} {
		t.Run(string(mode), func(t *testing.T) {
			// Far more than can be written before the cancel.
			cfg := Config{Dir: t.TempDir(), Writers: 4, Records: 2_000_000, Sizes: Sizes{Min: 100, Max: 200}}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := RunProcesses(ctx, mode, cfg)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("RunProcesses = %v, want the deadline", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v to give up", took)
			}
			if kids := children(t); len(kids) > 0 {
				t.Errorf("processes left behind: %v", kids)
			}
		})
	}
}

// children lists this process's child processes, zombies included, from
// /proc.
func children(t *testing.T) []string {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	me := strconv.Itoa(os.Getpid())
	var kids []string
	for _, p := range stats {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces, so split after ')'.
		s := string(data)
		rest := s[strings.LastIndexByte(s, ')')+1:]
		if f := strings.Fields(rest); len(f) > 1 && f[1] == me {
			kids = append(kids, strings.TrimSpace(s[:strings.IndexByte(s, ' ')])+" "+f[0])
		}
	}
	return kids
}

// A writer that fails makes the run fail with its pid and message.
func TestWriterFails(t *testing.T) {
	cfg := small(t)
	_, lockPath := paths(cfg.Dir, Locked)
	if err := os.Mkdir(lockPath, 0o755); err != nil { // a folder cannot be a lock file
		t.Fatal(err)
	}
	_, err := RunProcesses(context.Background(), Locked, cfg)
	if err == nil || !strings.Contains(err.Error(), "(pid ") || !strings.Contains(err.Error(), "locked.lock") {
		t.Fatalf("RunProcesses = %v, want the writer's error", err)
	}
	if kids := children(t); len(kids) > 0 {
		t.Errorf("processes left behind: %v", kids)
	}
}
