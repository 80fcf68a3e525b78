package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/poolbench/poolbench/results"
)

// The facts a page states about a run: when, on what, and with which plan.

func runSubtitle(run *results.Run) string {
	parts := []string{}
	if run.Command != "" {
		parts = append(parts, "poolbench "+run.Command)
	}
	if !run.StartedAt.IsZero() {
		parts = append(parts, run.StartedAt.UTC().Format("2 January 2006, 15:04 MST"))
		if run.FinishedAt.After(run.StartedAt) {
			parts = append(parts, "took "+run.FinishedAt.Sub(run.StartedAt).Round(time.Second).String())
		}
	}
	return strings.Join(parts, " · ")
}

func hostFacts(h results.Host) []kv {
	out := []kv{
		{"CPU", orDash(h.CPUModel)},
		{"cores", itoa(h.CPUs)},
	}
	if h.UsableCPUs > 0 {
		out = append(out, kv{"usable CPUs", itoa(h.UsableCPUs)}, kv{"GOMAXPROCS", itoa(h.GOMAXPROCS)})
	}
	if h.MemoryBytes > 0 {
		out = append(out, kv{"memory", bytesIEC(float64(h.MemoryBytes))})
	}
	osName := h.OS + "/" + h.Arch
	if h.Platform != "" {
		osName += " (" + h.Platform + ")"
	}
	out = append(out, kv{"OS", osName}, kv{"kernel", orDash(h.Kernel)}, kv{"Go", orDash(h.GoVersion)})
	if h.Hostname != "" {
		out = append(out, kv{"host", h.Hostname})
	}
	return out
}

func configFacts(c results.Config) []kv {
	out := []kv{
		{"workloads", strings.Join(c.Workloads, ", ")},
		{"strategies", strings.Join(c.Strategies, ", ")},
	}
	if c.Tasks > 0 {
		out = append(out, kv{"tasks", itoa(c.Tasks)}, kv{"workers", itoa(c.Workers)})
	}
	if c.LogWriters > 0 {
		out = append(out, kv{"writers", itoa(c.LogWriters)}, kv{"records per writer", itoa(c.LogRecords)},
			kv{"record size", c.LogRecordSize})
	}
	if len(c.WorkerSizes) > 0 {
		sizes := make([]string, len(c.WorkerSizes))
		for i, n := range c.WorkerSizes {
			sizes[i] = itoa(n)
		}
		out = append(out, kv{"pool sizes", strings.Join(sizes, ", ")})
	}
	if len(c.TaskSize) > 0 {
		var names []string
		for k := range c.TaskSize {
			names = append(names, k)
		}
		sortStrings(names)
		for i, k := range names {
			names[i] = k + " " + c.TaskSize[k]
		}
		out = append(out, kv{"task size", strings.Join(names, ", ")})
	}
	out = append(out, kv{"repeats", fmt.Sprintf("%d measured, %d warmup", c.Repeat, c.Warmup)})
	for _, f := range []kv{{"sample interval", c.SampleInterval}, {"task timeout", c.TaskTimeout}, {"fault injection", c.Inject}} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	if c.Seed != 0 {
		out = append(out, kv{"seed", fmt.Sprint(c.Seed)})
	}
	if c.WorkerBinary != "" {
		out = append(out, kv{"pool workers ran", c.WorkerBinary})
	}
	return append(out, workloadFacts(c)...)
}
