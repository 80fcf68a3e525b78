package report

import (
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

// TestMismatches: each way two runs can measure different things is named,
// once, and runs that measured the same thing have none.
func TestMismatches(t *testing.T) {
	skew := 1.5
	base := func() *results.Run {
		return &results.Run{Config: results.Config{Workloads: []string{"cpu"}, Tasks: 100, TaskSize: map[string]string{"cpu": "100k"}},
			Results: []results.Result{{Strategy: "serial", Workload: "cpu"}, {Strategy: "pool-map", Workload: "cpu"}, {Strategy: "process-per-task", Workload: "cpu"}}}
	}
	for _, c := range []struct {
		name string
		edit func(*results.Config)
		want string
	}{
		{"same", func(*results.Config) {}, ""},
		{"tasks", func(c *results.Config) { c.Tasks = 10 }, "different task counts (old: 100; new: 10)"},
		{"task size", func(c *results.Config) { c.TaskSize["cpu"] = "1k" }, "different cpu task sizes (old: 100k; new: 1k)"},
		{"payload", func(c *results.Config) { c.Payload = "in=1,out=1" }, "different payloads (old: —; new: in=1,out=1)"},
		{"skew", func(c *results.Config) { c.Skew = &skew }, "different skews (old: —; new: 1.5)"},
		{"command", func(c *results.Config) { c.Cmd = "true" }, "different commands (old: —; new: true)"},
		{"args file", func(c *results.Config) { c.ArgsFile = "in.jsonl" }, "different args files (old: —; new: in.jsonl)"},
		{"chunk size", func(c *results.Config) { c.ChunkSize = 25 }, "different chunk sizes (old: —; new: 25)"},
		{"process cap", func(c *results.Config) { c.MaxProcesses = 8 }, "different process caps (old: —; new: 8)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			old, new := base(), base()
			c.edit(&new.Config)
			got := strings.Join(Mismatches(old, new), "; ")
			if got != c.want {
				t.Errorf("%q, want %q", got, c.want)
			}
		})
	}
	// A chunk size and a process cap are recorded only where pool-map and
	// process-per-task ran: a run without them differs in neither.
	old, new := base(), base()
	old.Results = old.Results[:1]
	new.Config.ChunkSize, new.Config.MaxProcesses = 25, 8
	if got := Mismatches(old, new); len(got) != 0 {
		t.Errorf("against a run of serial alone: %q, want none", got)
	}
	// Nor do runs whose maps are different strategies.
	old, new = base(), base()
	old.Results[1].Strategy = "py-pool-map"
	old.Config.ChunkSize = 25
	if got := Mismatches(old, new); len(got) != 0 {
		t.Errorf("py-pool-map's chunks against pool-map's: %q, want none", got)
	}
	// The same command run through sh and run directly (--cmd-argv) are
	// two commands: the shell's start is in one's time only.
	old, new = base(), base()
	old.Config.Cmd, new.Config.Cmd, new.Config.CmdArgv = "true", "true", true
	if got, want := strings.Join(Mismatches(old, new), "; "), "different commands (old: true; new: true (argv))"; got != want {
		t.Errorf("sh against argv: %q, want %q", got, want)
	}
}
