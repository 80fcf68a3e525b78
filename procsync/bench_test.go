package procsync

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// The flock benchmarks sit beside sync.Mutex ones so that the price of
// crossing processes reads off directly: an uncontended Lock is four system
// calls (the queue check, the flock, the stat that checks the file is still
// the one at the path, and the unlock); a contended one sleeps in the
// kernel, in line.

func BenchmarkLockUncontended(b *testing.B) {
	l, err := NewLock(filepath.Join(b.TempDir(), "bench.lock"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	for b.Loop() {
		if err := l.Acquire(ctx); err != nil {
			b.Fatal(err)
		}
		if err := l.Release(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLockContended gives each goroutine its own Lock on one path: to
// the kernel these are separate open file descriptions, exactly as separate
// processes would be. The min-share metric (the least served goroutine's
// acquisitions over the fair share) shows how evenly the lock is shared.
func BenchmarkLockContended(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.lock")
	ctx := context.Background()
	var mu sync.Mutex
	var counts []int
	defer func() {
		if len(counts) > 0 && b.N > 0 {
			least := slices.Min(counts)
			b.ReportMetric(float64(least)*float64(len(counts))/float64(b.N), "min-share")
		}
	}()
	b.RunParallel(func(pb *testing.PB) {
		n := 0
		defer func() {
			mu.Lock()
			counts = append(counts, n)
			mu.Unlock()
		}()
		l, err := NewLock(path)
		if err != nil {
			b.Error(err)
			return
		}
		defer l.Close()
		for pb.Next() {
			if err := l.Acquire(ctx); err != nil {
				b.Error(err)
				return
			}
			n++
			if err := l.Release(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkMutexUncontended(b *testing.B) {
	var mu sync.Mutex
	for b.Loop() {
		mu.Lock()
		mu.Unlock() //nolint:staticcheck // an empty critical section is the point
	}
}

func BenchmarkMutexContended(b *testing.B) {
	var mu sync.Mutex
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			mu.Unlock() //nolint:staticcheck // an empty critical section is the point
		}
	})
}

func BenchmarkSemaphoreUncontended(b *testing.B) {
	s, err := NewSemaphore(b.TempDir(), 2)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for b.Loop() {
		if err := s.Acquire(ctx); err != nil {
			b.Fatal(err)
		}
		if err := s.Release(); err != nil {
			b.Fatal(err)
		}
	}
}
