package workloads

// Registered after cpu, io and noop (files initialise in name order).
func init() { registerFaulty() }
