package strategies

import "slices"

// Groups name sets of strategies for --strategies: py (CPython's own),
// go (poolbench's, the default set) and all.
var groups = map[string]func() []string{
	"all": Names,
	"go":  func() []string { return filtered(false) },
	"py":  func() []string { return filtered(true) },
}

// Default is the strategies a run measures when none are named: the Go
// ones. CPython's cost a default run too much time (its SHA-256 rounds are
// about ten times slower), so they are asked for by name or group.
func Default() []string { return filtered(false) }

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

func filtered(python bool) []string {
	var out []string
	for _, n := range Names() {
		if IsPython(n) == python {
			out = append(out, n)
		}
	}
	return out
}
