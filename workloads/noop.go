package workloads

// NoopName is the name of the workload that does nothing.
const NoopName = "noop"

// noop returns at once, so that what is measured is the strategy's own cost:
// spawning, dispatch, IPC and result delivery.
func noop([]byte) ([]byte, error) { return nil, nil }

func init() {
	mustRegisterBuiltIn(Workload{
		Name:        NoopName,
		Doc:         "overhead only: each task returns at once (--task-size is ignored)",
		DefaultSize: "0",
		ParseSize:   func(string) (uint64, error) { return 0, nil },
		Run:         noop,
		Python:      true,
	})
}
