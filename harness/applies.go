package harness

import (
	"fmt"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

// applies reports whether strategy s can run workload w, and if not, why.
func applies(w workloads.Workload, s strategies.Strategy) (bool, string) {
	if !w.RunsUnder(s.Name()) {
		return false, "runs under " + strings.Join(w.Strategies, ", ") + " only"
	}
	if s.Traits().Language == "python" && !w.Python {
		return false, "has no CPython twin"
	}
	return true, ""
}

// checkApplicable drops, with a note, the strategies that cannot run a
// workload, and refuses a workload that none of the chosen strategies can
// run.
func (p *plan) checkApplicable() error {
	for _, w := range p.workloads {
		if w.CheckOptions != nil {
			if err := w.CheckOptions(p.Options); err != nil {
				return &ConfigError{err}
			}
		}
		skipped := map[string][]string{} // reason -> strategies
		var reasons []string
		ran := 0
		for _, s := range p.strategies {
			ok, why := applies(w, s)
			if ok {
				ran++
				continue
			}
			if !slices.Contains(reasons, why) {
				reasons = append(reasons, why)
			}
			skipped[why] = append(skipped[why], s.Name())
		}
		if ran == 0 {
			return configErr("--workload %s %s: not under %s", w.Name, reasons[0], strings.Join(p.Strategies, ", "))
		}
		for _, why := range reasons {
			p.notes = append(p.notes, fmt.Sprintf("%s: %s skipped: the workload %s", w.Name, strings.Join(skipped[why], ", "), why))
		}
	}
	return nil
}

// recordOptions writes the workload options the run's workloads read into
// its configuration, with each workload's one-line explanation.
func (p *plan) recordOptions(c *results.Config) {
	seeded := false
	for _, w := range p.workloads {
		if c.WorkloadDocs == nil {
			c.WorkloadDocs = map[string]string{}
		}
		c.WorkloadDocs[w.Name] = w.Doc
		switch w.Name {
		case workloads.PayloadName:
			in, out := workloads.PayloadSizes(p.Options)
			c.Payload = fmt.Sprintf("in=%d,out=%d", in, out)
			seeded = true
		case workloads.SkewedName:
			c.Skew = &p.Options.Skew
			seeded = true
		case workloads.ExecName:
			c.Cmd, c.CmdArgv = p.Options.Cmd, p.Options.CmdArgv
		}
		if w.FromArgsFile {
			c.ArgsFile = p.Options.ArgsFile
		}
	}
	if seeded {
		c.Seed = p.Options.Seed
	}
}
