package strategies

import "slices"

// Groups name sets of strategies for --strategies: py (CPython's own), nats
// (the pool over NATS), go (poolbench's local ones, the default set) and all.
var groups = map[string]func() []string{
	"all":  Names,
	"go":   func() []string { return filtered(familyGo) },
	"py":   func() []string { return filtered(familyPython) },
	"nats": func() []string { return filtered(familyNATS) },
}

type family int

const (
	familyGo family = iota
	familyPython
	familyNATS
)

func familyOf(name string) family {
	switch {
	case IsPython(name):
		return familyPython
	case IsNATS(name):
		return familyNATS
	}
	return familyGo
}

// Default is the strategies a run measures when none are named: the local
// Go ones. CPython's cost a default run too much time (its SHA-256 rounds
// are about ten times slower), and the NATS pool's measure a broker rather
// than a way to run tasks on one machine, so both are asked for by name or
// group.
func Default() []string { return filtered(familyGo) }

// Group returns the strategies of a group name, and whether it is one.
func Group(name string) ([]string, bool) {
	g, ok := groups[name]
	if !ok {
		return nil, false
	}
	return g(), true
}

// GroupNames lists the group names.
func GroupNames() []string {
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func filtered(f family) []string {
	var out []string
	for _, n := range Names() {
		if familyOf(n) == f {
			out = append(out, n)
		}
	}
	return out
}
