// Package buildstamp names one build of poolbench's binaries: `make build`
// sets Stamp in poolbench and poolbench-worker to the same fresh value, so
// that poolbench can tell a worker binary of its own build from a stale one
// without running it. It holds the stamp alone, and imports nothing, since
// every worker binary links it; stampfile reads another binary's stamp.
package buildstamp

// Symbol is the variable `-ldflags -X` sets.
const Symbol = "github.com/poolbench/poolbench/internal/buildstamp.Stamp"

// Stamp is this build's stamp; empty unless the build set it (go run, go
// install, test binaries).
var Stamp string
