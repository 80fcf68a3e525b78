package results

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Run)
		want string
	}{
		{"negative wall", func(r *Run) { r.Results[0].WallSeconds.Min = -2 }, "results[0].wall_seconds.min is -2: a measurement cannot be negative"},
		{"negative trial", func(r *Run) { r.Results[0].Trials[0].WallSeconds = -1 }, "results[0].trials[0].wall_seconds is -1"},
		{"309 digits", func(r *Run) {
			r.Results[0].WallSeconds = Summary{Median: 1e308, Mean: 1e308, Min: 1e308, Max: 1e308, N: 1}
		}, "results[0].wall_seconds.median is 1e+308, beyond any real measurement (at most 1e+07 seconds)"},
		{"infinite speedup", func(r *Run) { inf := math.Inf(1); r.Results[0].SpeedupVsSerial = &inf }, "results[0].speedup_vs_serial is +Inf"},
		{"NaN efficiency", func(r *Run) { nan := math.NaN(); r.Results[0].Efficiency = &nan }, "results[0].efficiency is NaN"},
		{"absurd memory", func(r *Run) { r.Results[0].Trials[0].Samples[0].RSSBytes = math.MaxUint64 }, "samples[0].rss is 1.845e+19, beyond"},
		{"negative errors", func(r *Run) { r.Results[0].Errors = -3 }, "results[0].errors is -3"},
		{"negative error kind", func(r *Run) { r.Results[0].ErrorKinds = map[string]int{"crash": -1} }, "results[0].error_kinds.crash is -1"},
		{"out of order", func(r *Run) { r.Results[0].WallSeconds.Median = 5 }, "wall_seconds: min 1, median 5, mean 1, max 1 are out of order"},
		{"negative tasks", func(r *Run) { r.Config.Tasks = -1 }, "config.tasks is -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := sampleRun()
			tt.edit(run)
			err := Validate(run)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
			// Through the decoder too, where JSON can carry the value.
			var buf bytes.Buffer
			if Encode(&buf, run) != nil {
				return // NaN and Inf: JSON cannot hold them
			}
			if _, err := Unmarshal(buf.Bytes()); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Unmarshal: err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	run := sampleRun()
	run.Config.Seed = -7 // a seed is any integer
	mean := 0.1 + 0.2    // a mean off its equal min and max by a rounding
	run.Results[0].WallSeconds = Summary{Median: 0.3, Mean: mean, Min: 0.3, Max: 0.3, N: 3}
	if err := Validate(run); err != nil {
		t.Fatal(err)
	}
}
