package workloads

import (
	"errors"
	"math"
	"testing"
)

func TestFaultsAreReproducibleAndProportionate(t *testing.T) {
	f := Faults{Crash: 0.1, Error: 0.2, Hang: 0.05, Seed: 42}
	counts := map[Fault]int{}
	for i := range 100_000 {
		counts[f.For(i)]++
		if f.For(i) != f.For(i) {
			t.Fatal("fault of a task changed between calls")
		}
	}
	for fault, want := range map[Fault]float64{Crash: 0.1, Error: 0.2, Hang: 0.05} {
		got := float64(counts[fault]) / 100_000
		if math.Abs(got-want) > 0.01 {
			t.Errorf("%v: %.3f of tasks, want %.2f", fault, got, want)
		}
	}
	other := Faults{Crash: 0.1, Error: 0.2, Hang: 0.05, Seed: 43}
	same := 0
	for i := range 1000 {
		if f.For(i) == other.For(i) {
			same++
		}
	}
	if same == 1000 {
		t.Error("another seed gave the same faults")
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		in   string
		want Faults
		ok   bool
	}{
		{"", Faults{}, true},
		{"crash=0.1", Faults{Crash: 0.1}, true},
		{"crash=0.1,error=0.2,hang=0.01", Faults{Crash: 0.1, Error: 0.2, Hang: 0.01}, true},
		{"crash=2", Faults{}, false},
		{"crash=-0.1", Faults{}, false},
		{"crash", Faults{}, false},
		{"boom=0.1", Faults{}, false},
		{"crash=0.6,error=0.6", Faults{}, false},
		{"crash=NaN", Faults{}, false},
		{"hang=nan", Faults{}, false},
		{"error=+Inf", Faults{}, false},
		{"crash=0.5,crash=0", Faults{}, false}, // not the last one silently
	}
	for _, tt := range tests {
		got, err := ParseFaults(tt.in, 0)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseFaults(%q) = %+v, %v", tt.in, got, err)
		}
	}
}

func TestFaultyWorkloads(t *testing.T) {
	fn, err := LookupFunc(FaultyName(NoopName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fn(FaultyArgs(NoFault, nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := fn(FaultyArgs(Error, nil)); !errors.Is(err, ErrInjected) {
		t.Fatalf("error fault: %v", err)
	}
	SetInProcess(true)
	defer SetInProcess(false)
	defer func() {
		if recover() == nil {
			t.Fatal("an in-process crash did not panic")
		}
	}()
	fn(FaultyArgs(Crash, nil))
}
