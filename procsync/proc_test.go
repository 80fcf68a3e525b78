package procsync

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCounterAcrossProcesses runs read-increment-write on a shared counter
// file in several processes. Without the lock updates are lost (the test
// insists, so that it shows the race is real); with it none are.
func TestCounterAcrossProcesses(t *testing.T) {
	const children, n = 4, 25
	for _, tc := range []struct {
		name   string
		locked bool
	}{
		{"unlocked", false},
		{"locked", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			counter := filepath.Join(dir, "counter")
			if err := os.WriteFile(counter, fmt.Appendf(nil, "%0*d", counterWidth, 0), 0o644); err != nil {
				t.Fatal(err)
			}
			lockPath := ""
			if tc.locked {
				lockPath = filepath.Join(dir, "counter.lock")
			}
			var cs []*child
			for range children {
				cs = append(cs, spawn(t, "counter", os.Stderr,
					"PROCSYNC_LOCK="+lockPath, "PROCSYNC_FILE="+counter, "PROCSYNC_N="+strconv.Itoa(n)))
			}
			for _, c := range cs {
				c.release()
			}
			for _, c := range cs {
				if err := c.wait(); err != nil {
					t.Fatalf("child: %v", err)
				}
			}
			f, err := os.Open(counter)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := readCounter(f)
			if err != nil {
				t.Fatal(err)
			}
			want := children * n
			t.Logf("%s: counter %d of %d", tc.name, got, want)
			switch {
			case tc.locked && got != want:
				t.Errorf("locked counter = %d, want exactly %d", got, want)
			case !tc.locked && got >= want:
				t.Errorf("unlocked counter = %d, want fewer than %d (lost updates)", got, want)
			}
		})
	}
}

// TestLockHolderDies checks that the kernel frees the lock of a process
// killed while holding it.
func TestLockHolderDies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	c := spawn(t, "hold", nil, "PROCSYNC_LOCK="+path)
	c.release()
	if got := c.waitLine(t, 10*time.Second); got != "held\n" {
		t.Fatalf("child said %q", got)
	}
	l, err := NewLock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if ok, err := l.TryAcquire(); err != nil || ok {
		t.Fatalf("TryAcquire while a live child holds it = %v, %v; want false", ok, err)
	}
	c.kill(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Acquire(ctx); err != nil {
		t.Fatalf("Acquire after the holder died: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

// TestHello is the article's example: 10 processes each acquire, print
// "hello N" to one shared pipe in two pieces, and release. The output must
// be 10 whole lines, one per process.
func TestHello(t *testing.T) {
	const children = 10
	path := filepath.Join(t.TempDir(), "hello.lock")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var cs []*child
	for i := range children {
		cs = append(cs, spawn(t, "hello", w, "PROCSYNC_LOCK="+path, "PROCSYNC_ID="+strconv.Itoa(i)))
	}
	w.Close() // the children hold the write end now
	for _, c := range cs {
		c.release()
	}
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for _, c := range cs {
		if err := c.wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^hello (\d+)$`)
	seen := make(map[int]bool)
	for _, line := range lines {
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("broken line %q", line)
			continue
		}
		id, _ := strconv.Atoi(m[1])
		if seen[id] {
			t.Errorf("hello %d twice", id)
		}
		seen[id] = true
	}
	if len(lines) != children || len(seen) != children {
		t.Errorf("got %d lines from %d processes, want %d:\n%s", len(lines), len(seen), children, strings.Join(lines, "\n"))
	}
}

// TestSemaphoreBound runs holders in several processes that log entering
// and leaving to one O_APPEND file. Replaying the log, never more than two
// are inside; and two at once does happen, so the semaphore is not a mutex.
func TestSemaphoreBound(t *testing.T) {
	const children, n = 6, 5
	dir := t.TempDir()
	semDir := filepath.Join(dir, "sem")
	logPath := filepath.Join(dir, "events")
	if err := os.WriteFile(logPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var cs []*child
	for i := range children {
		cs = append(cs, spawn(t, "sem", os.Stderr, "PROCSYNC_DIR="+semDir, "PROCSYNC_FILE="+logPath,
			"PROCSYNC_ID="+strconv.Itoa(i), "PROCSYNC_N="+strconv.Itoa(n)))
	}
	for _, c := range cs {
		c.release()
	}
	for _, c := range cs {
		if err := c.wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	inside, peak, events := map[string]bool{}, 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		op, id, _ := strings.Cut(line, " ")
		switch op {
		case "+":
			if inside[id] {
				t.Fatalf("%s entered twice", id)
			}
			inside[id] = true
		case "-":
			if !inside[id] {
				t.Fatalf("%s left without entering", id)
			}
			delete(inside, id)
		default:
			t.Fatalf("bad event %q", line)
		}
		events++
		peak = max(peak, len(inside))
	}
	if events != 2*children*n {
		t.Errorf("%d events, want %d", events, 2*children*n)
	}
	if peak > 2 {
		t.Errorf("%d holders at once, want at most 2", peak)
	}
	if peak < 2 {
		t.Errorf("never 2 holders at once: the semaphore behaved as a lock")
	}
}

// TestSemaphoreHolderDies checks that a killed holder's slot comes back.
func TestSemaphoreHolderDies(t *testing.T) {
	dir := t.TempDir()
	mine, err := NewSemaphore(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	if ok, err := mine.TryAcquire(); !ok || err != nil {
		t.Fatalf("first slot: %v, %v", ok, err)
	}
	c := spawn(t, "semhold", nil, "PROCSYNC_DIR="+dir)
	c.release()
	if got := c.waitLine(t, 10*time.Second); got != "held\n" {
		t.Fatalf("child said %q", got)
	}
	if ok, err := mine.TryAcquire(); ok || err != nil {
		t.Fatalf("third holder admitted: %v, %v", ok, err)
	}
	c.kill(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := mine.Acquire(ctx); err != nil {
		t.Fatalf("Acquire after the holder died: %v", err)
	}
}
