package procpool

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// EnvRole names the role a re-executed copy of this executable plays, and
// the role's spec: "name" or "name:spec". One variable decides it, read
// first thing in main (ServeRole), so that a child settles what it is
// before the program does anything else.
const EnvRole = "POOLBENCH_ROLE"

// RoleWorker is the role of a Pool's worker; every program that imports
// procpool can play it.
const RoleWorker = "worker"

var roles struct {
	mu    sync.RWMutex
	serve map[string]func(spec string) error
}

// RegisterRole adds a role that a child of this executable may be started
// to play (see RoleEnv): serve runs it with the spec it was given and
// returns when the child's work is done. Register at package
// initialisation, as for functions, so that the child, the same
// executable, knows the role. Names are unique and hold no ':'.
func RegisterRole(name string, serve func(spec string) error) error {
	if name == "" || strings.Contains(name, ":") || serve == nil {
		return fmt.Errorf("procpool: register role %q: needs a name without ':' and a func", name)
	}
	roles.mu.Lock()
	defer roles.mu.Unlock()
	if _, dup := roles.serve[name]; dup || name == RoleWorker {
		return fmt.Errorf("procpool: register role %q: already registered", name)
	}
	if roles.serve == nil {
		roles.serve = map[string]func(string) error{}
	}
	roles.serve[name] = serve
	return nil
}

// MustRegisterRole is RegisterRole for package initialisation: a duplicate
// name is a programming error, and it panics.
func MustRegisterRole(name string, serve func(spec string) error) {
	if err := RegisterRole(name, serve); err != nil {
		panic(err)
	}
}

// RoleEnv is the environment entry (for exec.Cmd.Env) that starts a copy
// of this executable in the named role with spec.
func RoleEnv(name, spec string) string {
	if spec == "" {
		return EnvRole + "=" + name
	}
	return EnvRole + "=" + name + ":" + spec
}

// ServeRole plays the role this process was started for and returns
// served=true, or returns at once when it was started as itself. Call it
// first thing in main (or TestMain) and exit when served is true: with
// status 0 if err is nil, else print err and exit non-zero.
//
//	if served, err := procpool.ServeRole(); served {
//		if err != nil { fmt.Fprintln(os.Stderr, err); os.Exit(1) }
//		os.Exit(0)
//	}
//
// The variable is removed first: what the role starts in turn (a trial's
// pool, a task's own pool) is not taken for the same role.
func ServeRole() (served bool, err error) {
	v, ok := os.LookupEnv(EnvRole)
	if !ok || v == "" {
		return false, nil
	}
	os.Unsetenv(EnvRole)
	name, spec, _ := strings.Cut(v, ":")
	if name == RoleWorker {
		return true, serveWorker(spec)
	}
	roles.mu.RLock()
	serve := roles.serve[name]
	roles.mu.RUnlock()
	if serve == nil {
		return true, fmt.Errorf("procpool: %s=%s: %w %q (this executable has %s)", EnvRole, name, ErrUnknownRole, name, strings.Join(roleNames(), ", "))
	}
	return true, serve(spec)
}

// CheckRoleServed returns ErrRoleNotServed when this process was started
// to play a role (a pool's worker, say) and has not played it: its main
// did not call ServeRole first thing, and ran on. New calls it, so that
// such a worker, which would otherwise start a pool of its own, whose
// workers start theirs in turn, fails at once instead, as Python's
// multiprocessing refuses a child that starts processes while it is
// still bootstrapping.
func CheckRoleServed() error {
	if v := os.Getenv(EnvRole); v != "" {
		// The role's name only: a spec may be large, or carry a server's
		// credentials.
		name, _, _ := strings.Cut(v, ":")
		return fmt.Errorf("procpool: this process was started to play the role %q: %w", name, ErrRoleNotServed)
	}
	return nil
}

// ServeIfWorker is ServeRole, under the name the pool has always given it:
// a program that only uses pools may call either.
func ServeIfWorker() (served bool, err error) { return ServeRole() }

func roleNames() []string {
	roles.mu.RLock()
	defer roles.mu.RUnlock()
	names := []string{RoleWorker}
	for n := range roles.serve {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
