package procsync

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestNewSemaphoreErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		dir string
		n   int
	}{
		{"", 1},
		{dir, 0},
		{dir, -1},
	} {
		if s, err := NewSemaphore(tc.dir, tc.n); err == nil {
			s.Close()
			t.Errorf("NewSemaphore(%q, %d) succeeded", tc.dir, tc.n)
		}
	}
	s, err := NewSemaphore(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s2, err := NewSemaphore(dir, 2); !errors.Is(err, ErrSlotsMismatch) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("NewSemaphore with another n = %v, want ErrSlotsMismatch", err)
	}
	s3, err := NewSemaphore(dir, 3)
	if err != nil {
		t.Fatalf("NewSemaphore with the same n: %v", err)
	}
	s3.Close()
}

func TestSemaphoreSlots(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sem")
	a, err := NewSemaphore(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewSemaphore(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, s := range []*Semaphore{a, a, b} {
		if ok, err := s.TryAcquire(); !ok || err != nil {
			t.Fatalf("TryAcquire %d = %v, %v", i, ok, err)
		}
	}
	for _, s := range []*Semaphore{a, b} {
		if ok, err := s.TryAcquire(); ok || err != nil {
			t.Fatalf("fourth holder admitted: %v, %v", ok, err)
		}
	}
	if err := b.Release(); err != nil {
		t.Fatal(err)
	}
	if err := b.Release(); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("Release with no slot held = %v, want ErrNotHeld", err)
	}
	if ok, err := a.TryAcquire(); !ok || err != nil {
		t.Fatalf("TryAcquire after a release = %v, %v", ok, err)
	}
	// a holds all three now; closing it frees them.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if ok, err := b.TryAcquire(); !ok || err != nil {
			t.Fatalf("slot still held after Close: %v, %v", ok, err)
		}
	}
	if _, err := a.TryAcquire(); !errors.Is(err, ErrClosed) {
		t.Errorf("TryAcquire after Close = %v, want ErrClosed", err)
	}
}

func TestSemaphoreAcquireCancelled(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSemaphore(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s.Acquire(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Acquire on a full semaphore = %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("cancelled Acquire took %v", took)
	}
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("the cancelled Acquire left a slot held: %v", err)
	}
}
