// Package buildstamp names one build of poolbench's binaries: `make build`
// sets Stamp in poolbench and poolbench-worker to the same fresh value, so
// that poolbench can tell a worker binary of its own build from a stale one
// without running it.
package buildstamp

import (
	"debug/buildinfo"
	"fmt"
	"strings"
)

// Symbol is the variable `-ldflags -X` sets.
const Symbol = "github.com/poolbench/poolbench/internal/buildstamp.Stamp"

// Stamp is this build's stamp; empty unless the build set it (go run, go
// install, test binaries).
var Stamp string

// Of reads the stamp the binary at path was built with, from the build
// settings Go records in every binary (its -ldflags), without running it.
// It is empty when the build did not set one, or did not record its
// -ldflags (go build -trimpath leaves them out).
func Of(path string) (string, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("buildstamp: %w", err)
	}
	for _, s := range bi.Settings {
		if s.Key == "-ldflags" {
			return FromLdflags(s.Value), nil
		}
	}
	return "", nil
}

// FromLdflags is the value -X gives Symbol in a linker flag string, in
// either of the forms the linker takes ("-X name=value", "-X=name=value");
// the last one wins, as in the linker. Empty if there is none.
func FromLdflags(flags string) string {
	var stamp string
	f := strings.Fields(flags)
	for i := 0; i < len(f); i++ {
		arg := f[i]
		switch {
		case arg == "-X" || arg == "--X":
			if i+1 == len(f) {
				return stamp
			}
			i++
			arg = f[i]
		case strings.HasPrefix(arg, "-X="):
			arg = arg[len("-X="):]
		case strings.HasPrefix(arg, "--X="):
			arg = arg[len("--X="):]
		default:
			continue
		}
		if v, ok := strings.CutPrefix(arg, Symbol+"="); ok {
			stamp = v
		}
	}
	return stamp
}
