// Package gobuild builds Go programs from tests and benchmarks as
// `make build` builds poolbench's binaries: static (CGO_ENABLED=0), so
// that no process start pays for the dynamic loader, with the go command
// that runs the tests.
package gobuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/poolbench/poolbench/internal/buildstamp"
)

// Tool is the go command on PATH, which under go test is the one running
// the tests (go test puts its GOROOT/bin first on the test's PATH), so
// that builds share its toolchain and build cache. Without one the test
// is skipped, as it cannot build anything.
func Tool(t testing.TB) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build a program with:", err)
	}
	return goTool
}

// Build builds pkg (an import path, a directory relative to the test's
// package, or a .go file) into the file bin, static, with the linker
// flags ldflags unless they are empty, and returns bin. A failed build
// fails the test.
func Build(t testing.TB, bin, pkg, ldflags string) string {
	t.Helper()
	args := []string{"build", "-o", bin}
	if ldflags != "" {
		args = append(args, "-ldflags", ldflags)
	}
	cmd := exec.Command(Tool(t), append(args, pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// Stamped builds pkg into dir/name with the build stamp set, as make build
// sets it, without the symbol table and DWARF (-s -w): no test reads them,
// and they make the link of poolbench about 1.7 times as long.
func Stamped(t testing.TB, dir, name, pkg, stamp string) string {
	t.Helper()
	return Build(t, filepath.Join(dir, name), pkg, "-s -w -X "+buildstamp.Symbol+"="+stamp)
}
