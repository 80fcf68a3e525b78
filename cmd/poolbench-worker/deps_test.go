package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/internal/gobuild"
)

// The worker stays lean: beyond the standard library it links the pool
// (with its result-delivery loop, which imports only the standard
// library), the built-in workloads, the build stamp and x/sys, nothing that
// would run its own initialisers at every worker start.
func TestLinksOnlyThePoolAndTheWorkloads(t *testing.T) {
	out, err := exec.Command(gobuild.Tool(t), "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/poolbench/poolbench/cmd/poolbench-worker",
		"github.com/poolbench/poolbench/procpool",
		"github.com/poolbench/poolbench/internal/delivery",
		"github.com/poolbench/poolbench/workloads",
		"github.com/poolbench/poolbench/internal/buildstamp",
		"golang.org/x/sys/unix",
	}
	for _, dep := range strings.Fields(string(out)) {
		if !slices.Contains(allowed, dep) {
			t.Errorf("poolbench-worker links %s; it should link only %v and the standard library", dep, allowed)
		}
	}
}
