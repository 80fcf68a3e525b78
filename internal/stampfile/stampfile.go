// Package stampfile reads the build stamp (package buildstamp) another
// poolbench binary was built with, without running it. It is apart from
// buildstamp because it links Go's executable-file readers (debug/elf,
// debug/dwarf, compress/zlib...), which the worker binaries, linking
// buildstamp for their own stamp, would otherwise load and initialise at
// every start.
package stampfile

import (
	"debug/buildinfo"
	"fmt"
	"strings"

	"github.com/poolbench/poolbench/internal/buildstamp"
)

// Of reads the stamp the binary at path was built with, from the build
// settings Go records in every binary (its -ldflags), without running it.
// It is empty when the build did not set one, or did not record its
// -ldflags (go build -trimpath leaves them out).
func Of(path string) (string, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("stampfile: %w", err)
	}
	for _, s := range bi.Settings {
		if s.Key == "-ldflags" {
			return FromLdflags(s.Value), nil
		}
	}
	return "", nil
}

// FromLdflags is the value -X gives buildstamp.Symbol in a linker flag string, in
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
		if v, ok := strings.CutPrefix(arg, buildstamp.Symbol+"="); ok {
			stamp = v
		}
	}
	return stamp
}
