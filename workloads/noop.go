package workloads

// NoopName is the name of the workload that does nothing.
const NoopName = "noop"

// noop returns at once, so that what is measured is the strategy's own cost:
// spawning, dispatch, IPC and result delivery.
func noop([]byte) ([]byte, error) { return nil, nil }

func init() {
	mustRegisterBuiltIn(Workload{
		Name:        NoopName,
		Doc:         "overhead only: each task returns at once (no --task-size)",
		DefaultSize: "0",
		ParseSize:   noSize(NoopName, "returns at once: it has no size"),
		Run:         noop,
		Python:      true,
	})
}
