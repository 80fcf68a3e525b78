package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/poolbench/poolbench/pyref"
	"github.com/poolbench/poolbench/strategies"
)

// chooseStrategies expands the group names of --strategies (all, go, py),
// takes the default set when none is given, and finds the interpreter the
// py-* strategies need. Without a usable one, a py-* strategy named on its
// own (or a --python given) is bad input; py-* strategies that came with a
// group are dropped, and a note says so.
func (p *plan) chooseStrategies(ctx context.Context) error {
	switch p.PyStartMethod {
	case "", "fork", "forkserver", "spawn":
	default:
		return configErr("--py-start-method %q: want fork, forkserver or spawn", p.PyStartMethod)
	}
	names := p.Config.Strategies
	if len(names) == 0 {
		names = strategies.Default()
	}
	var chosen []string
	named := map[string]bool{}
	add := func(n string) {
		if !slices.Contains(chosen, n) {
			chosen = append(chosen, n)
		}
	}
	for _, n := range names {
		if g, ok := strategies.Group(n); ok {
			for _, m := range g {
				add(m)
			}
			continue
		}
		named[n] = true
		add(n)
	}
	var py []string
	for _, n := range chosen {
		if strategies.IsPython(n) {
			py = append(py, n)
		}
	}
	p.Strategies = chosen
	if len(py) == 0 {
		// As --chunk-size and --max-processes are: an option that reaches
		// nothing measured is a mistake to point out, not to ignore.
		switch {
		case p.Python != "":
			return configErr("--python applies to the py-* strategies, none of which this run measures")
		case p.PyStartMethod != "":
			return configErr("--py-start-method applies to the py-* strategies, none of which this run measures")
		}
		return nil
	}
	in, err := pyref.Find(ctx, p.Python)
	if err == nil {
		p.startMethod, err = in.CheckStartMethod(p.PyStartMethod)
	}
	if err == nil {
		p.python = in
		return nil
	}
	if errors.Is(err, pyref.ErrNotFound) && p.Python == "" {
		err = fmt.Errorf("%w (give one with --python PATH)", err)
	}
	for _, n := range py {
		if named[n] {
			return &ConfigError{fmt.Errorf("%s: %w", n, err)}
		}
	}
	if p.Python != "" || p.PyStartMethod != "" {
		return &ConfigError{err}
	}
	p.notes = append(p.notes, fmt.Sprintf("%s skipped: %v", strings.Join(py, ", "), err))
	p.Strategies = slices.DeleteFunc(chosen, strategies.IsPython)
	if len(p.Strategies) == 0 {
		return &ConfigError{err}
	}
	return nil
}
