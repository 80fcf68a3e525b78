package harness

import (
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// TestTrialNoise classifies recorded figures of a trial's machine.
func TestTrialNoise(t *testing.T) {
	quiet := trialLoad{wall: 1, treeCPU: 0.5, busyCPU: 0.55, selfCPU: 0.01, usableCPUs: 2, tick: 0.01, cpus: 2}
	tests := []struct {
		name string
		edit func(*trialLoad)
		want string // a part of the reason; "" for quiet
	}{
		{"quiet", func(*trialLoad) {}, ""},
		{"other work within the ticks' slack", func(l *trialLoad) { l.busyCPU = 0.5 + 0.01 + 0.04 + 0.099 }, ""},
		{"other work above a tenth of a core", func(l *trialLoad) { l.busyCPU = 0.5 + 0.01 + 0.04 + 0.11 }, "other processes used 15% of a core"},
		{"two spinners", func(l *trialLoad) { l.busyCPU = 2.5 }, "other processes used 199% of a core"},
		{"more CPU than the usable CPUs give", func(l *trialLoad) { l.treeCPU, l.busyCPU = 2.2, 2.2 }, "more than its 2 usable CPUs"},
		{"all the usable CPUs, no more", func(l *trialLoad) { l.treeCPU, l.busyCPU, l.selfCPU = 2, 2, 0 }, ""},
		{"no wall", func(l *trialLoad) { l.wall = 0; l.busyCPU = 9 }, ""},
		{"this process is not other work", func(l *trialLoad) { l.selfCPU, l.busyCPU = 0.3, 0.8 }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := quiet
			tt.edit(&l)
			got := l.noise()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("noise() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEfficiencyNoise(t *testing.T) {
	for _, tt := range []struct {
		eff   float64
		noisy bool
	}{{0.5, false}, {1, false}, {1.05, false}, {1.06, true}, {1.72, true}} {
		if got := efficiencyNoise(tt.eff) != ""; got != tt.noisy {
			t.Errorf("efficiencyNoise(%v) noisy = %v, want %v", tt.eff, got, tt.noisy)
		}
	}
}

// TestSpinnersMakeARunNoisy runs trials beside two processes that spin: the
// results must be flagged, whatever else the machine is doing (more load
// only makes them noisier).
func TestSpinnersMakeARunNoisy(t *testing.T) {
	for range 2 {
		spin := exec.Command("yes") // its output goes to /dev/null
		spin.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := spin.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			spin.Process.Kill()
			spin.Wait()
		})
	}
	cfg := small("io")
	cfg.TaskSizes = map[string]string{"io": "20ms"}
	cfg.Strategies = []string{"serial", "pool-apply"}
	cfg.Warmup = 0
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range run.Results {
		if !r.Noisy || !strings.Contains(r.NoisyReason, "other processes used") {
			t.Errorf("%s: noisy %v (%q) beside two spinners; other CPU per trial %v", r.Strategy, r.Noisy, r.NoisyReason, otherCPU(r.Trials))
		}
		found := false
		for _, w := range r.Warnings {
			found = found || strings.Contains(w, "noisy: ") && strings.Contains(w, noiseAdvice)
		}
		if !found {
			t.Errorf("%s: no noisy warning in %q", r.Strategy, r.Warnings)
		}
	}
}

func otherCPU(trials []results.Trial) []float64 {
	var out []float64
	for _, t := range trials {
		out = append(out, t.OtherCPUSeconds)
	}
	return out
}

// TestMarkNoisy: a result is noisy if any trial was or its efficiency beats
// its ideal, with every reason kept and a warning that says what to do.
func TestMarkNoisy(t *testing.T) {
	eff := func(v float64) *float64 { return &v }
	run := &results.Run{Results: []results.Result{
		{Strategy: "quiet", Trials: []results.Trial{{}, {}}, Efficiency: eff(0.97)},
		{Strategy: "one-busy-trial", Trials: []results.Trial{{}, {NoisyReason: "other processes used 40% of a core beside it"}, {}}},
		{Strategy: "beats-ideal", Trials: []results.Trial{{}}, Efficiency: eff(1.72)},
		{Strategy: "both", Trials: []results.Trial{{NoisyReason: "x"}}, Efficiency: eff(1.2)},
		// Failed tasks, its own or its baseline's, explain an efficiency
		// past the ideal: a warning, not noise.
		// A stray failure explains nothing: still noise.
		{Strategy: "own-failures", Tasks: 20, Repeats: 1, Trials: []results.Trial{{}}, Efficiency: eff(1.9), ErrorsTotal: 2},
		{Strategy: "baseline-failures", Tasks: 20, Repeats: 1, Trials: []results.Trial{{}}, Efficiency: eff(1.9), Baseline: "failing-serial"},
		{Strategy: "failing-serial", Tasks: 20, Repeats: 1, Trials: []results.Trial{{}}, ErrorsTotal: 1, ErrorKinds: map[string]int{"timeout": 1}},
		{Strategy: "stray-failure", Tasks: 1000, Repeats: 1, Trials: []results.Trial{{}}, Efficiency: eff(1.72), ErrorsTotal: 1, ErrorKinds: map[string]int{"error": 1}},
	}}
	for i := range run.Results {
		markNoisyTrials(&run.Results[i])
	}
	markNoisyEfficiency(run)
	want := map[string][]string{
		"quiet":          nil,
		"one-busy-trial": {"in 1 of 3 trials other processes used 40% of a core"},
		"beats-ideal":    {"efficiency 172% beats the ideal"},
		"both":           {"in 1 of 1 trials x", "efficiency 120%"},
		"stray-failure":  {"efficiency 172% beats the ideal"},
	}
	warned := map[string]string{
		"own-failures":      "efficiency 190% beats the ideal because 2 tasks failed here:",
		"baseline-failures": "because 1 task failed here or in failing-serial",
	}
	for _, r := range run.Results {
		parts := want[r.Strategy]
		if r.Noisy != (parts != nil) {
			t.Errorf("%s: noisy %v (%q)", r.Strategy, r.Noisy, r.NoisyReason)
		}
		for _, p := range parts {
			if !strings.Contains(r.NoisyReason, p) {
				t.Errorf("%s: reason %q lacks %q", r.Strategy, r.NoisyReason, p)
			}
		}
		if r.Noisy && (len(r.Warnings) == 0 || !strings.Contains(r.Warnings[len(r.Warnings)-1], noiseAdvice)) {
			t.Errorf("%s: warnings %q lack the advice", r.Strategy, r.Warnings)
		}
		if w, ok := warned[r.Strategy]; ok && (len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], w)) {
			t.Errorf("%s: warnings %q, want one saying %q", r.Strategy, r.Warnings, w)
		}
	}
}
