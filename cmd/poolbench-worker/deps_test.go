package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/internal/gobuild"
)

// The worker stays lean: beyond the standard library it links the pool
// (with its result-delivery loop and its starter threads, which import
// only the standard library), the built-in workloads, the build stamp and x/sys, nothing that
// would run its own initialisers at every worker start; nor, of the
// standard library, the executable-file readers that read other binaries'
// stamps (stampfile), which only poolbench needs.
func TestLinksOnlyThePoolAndTheWorkloads(t *testing.T) {
	out, err := exec.Command(gobuild.Tool(t), "list", "-deps", "-f", "{{.Standard}} {{.ImportPath}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/poolbench/poolbench/cmd/poolbench-worker",
		"github.com/poolbench/poolbench/procpool",
		"github.com/poolbench/poolbench/internal/delivery",
		"github.com/poolbench/poolbench/internal/starter",
		"github.com/poolbench/poolbench/workloads",
		"github.com/poolbench/poolbench/internal/buildstamp",
		"golang.org/x/sys/unix",
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		standard, dep, _ := strings.Cut(line, " ")
		switch {
		case standard == "true" && strings.HasPrefix(dep, "debug/"):
			t.Errorf("poolbench-worker links %s, an executable-file reader it never uses", dep)
		case standard == "true":
		case !slices.Contains(allowed, dep):
			t.Errorf("poolbench-worker links %s; it should link only %v and the standard library", dep, allowed)
		}
	}
}
