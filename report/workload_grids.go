package report

import (
	"github.com/poolbench/poolbench/results"
)

// workloadGrids are the tables particular workloads call for: bytes moved
// against the raw pipe (payload), and the straggler tail (skewed).
func workloadGrids(run *results.Run) []grid {
	var out []grid
	for _, wl := range workloadsOf(run) {
		if g, ok := bytesGrid(run, wl); ok {
			out = append(out, g)
		}
		if g, ok := tailGrid(run, wl); ok {
			out = append(out, g)
		}
	}
	return out
}

// bytesGrid: each strategy's bytes per second and its ratio to the raw pipe
// measured in the same run.
func bytesGrid(run *results.Run, wl string) (grid, bool) {
	g := grid{
		Title:   wl + ": bytes moved per second, against the raw pipe measured in this run",
		Headers: []string{"strategy", "bytes per task", "MiB/s", "vs raw pipe"},
		Numeric: []bool{false, true, true, true},
	}
	pipe := 0.0
	for _, r := range resultsFor(run, wl) {
		if r.BytesPerSecond == nil {
			continue
		}
		ratio := dash
		if r.BytesPerSecondVsPipe != nil {
			ratio = percent(*r.BytesPerSecondVsPipe)
		}
		g.Rows = append(g.Rows, []string{label(run, r), bytesIEC(float64(r.BytesPerTask)), num(*r.BytesPerSecond / (1 << 20)), ratio})
		if r.PipeBytesPerSecond != nil {
			pipe = *r.PipeBytesPerSecond
		}
	}
	if pipe > 0 {
		g.Rows = append(g.Rows, []string{pipeLabel, dash, num(pipe / (1 << 20)), "100%"})
	}
	return g, len(g.Rows) > 0
}

// tailGrid: when each strategy's last task finished, against the ideal for
// the total work.
func tailGrid(run *results.Run, wl string) (grid, bool) {
	if !tailMatters(run, wl) {
		return grid{}, false
	}
	g := grid{
		Title:   wl + ": the tail, when the last task finished against the ideal",
		Headers: []string{"strategy", "half done", "last task done", "ideal", "last / ideal"},
		Numeric: []bool{false, true, true, true, true},
	}
	for _, r := range resultsFor(run, wl) {
		q := r.TaskFinishSeconds
		if len(q) < 2 {
			continue
		}
		ideal, ratio := dash, dash
		if r.IdealSeconds != nil {
			ideal = duration(*r.IdealSeconds)
		}
		if r.LastFinishVsIdeal != nil {
			ratio = num(*r.LastFinishVsIdeal) + "×"
		}
		g.Rows = append(g.Rows, []string{label(run, r), duration(q[len(q)/2]), duration(q[len(q)-1]), ideal, ratio})
	}
	return g, len(g.Rows) > 0
}

// workloadFacts are the workload options of the run and each workload's
// one-line explanation.
func workloadFacts(c results.Config) []kv {
	var out []kv
	if c.Payload != "" {
		out = append(out, kv{"payload", c.Payload})
	}
	if c.Skew != nil {
		out = append(out, kv{"skew (sigma)", num(*c.Skew)})
	}
	if c.Cmd != "" {
		how := "command (sh -c)"
		if c.CmdArgv {
			how = "command (argv)"
		}
		out = append(out, kv{how, c.Cmd})
	}
	if c.ChunkSize > 0 {
		out = append(out, kv{"chunk size (*-pool-map)", itoa(c.ChunkSize)})
	}
	if c.MaxProcesses > 0 {
		out = append(out, kv{"processes at once (process-per-task)", itoa(c.MaxProcesses)})
	}
	if c.ArgsFile != "" {
		out = append(out, kv{"args file", c.ArgsFile})
	}
	for _, w := range c.Workloads {
		if doc := c.WorkloadDocs[w]; doc != "" {
			out = append(out, kv{"workload " + w, doc})
		}
	}
	return out
}
