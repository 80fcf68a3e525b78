// Package results is poolbench's data model: one Run per invocation, written
// as results.json and read back by the report writers and by compare.
//
// It imports nothing of the project, so that any tool can decode a run.
package results

import "time"

// SchemaVersion is the version of the results.json layout written by this
// build. Decoders refuse files of a newer version rather than misread them.
const SchemaVersion = 2

// Run is everything one poolbench invocation measured.
type Run struct {
	SchemaVersion    int       `json:"schema_version"`
	PoolbenchVersion string    `json:"poolbench_version"`
	Command          string    `json:"command"` // run, sweep, log, ...
	StartedAt        time.Time `json:"started_at"`
	FinishedAt       time.Time `json:"finished_at"`
	// Partial is set when the run was interrupted: what is here was measured,
	// but not everything that was planned.
	Partial bool      `json:"partial,omitempty"`
	Host    Host      `json:"host"`
	Config  Config    `json:"config"`
	Results []Result  `json:"results"`
	Logging []LogMode `json:"logging,omitempty"`
	Claims  []Claim   `json:"claims,omitempty"`
	Notes   []string  `json:"notes,omitempty"`
}

// Host describes the machine the run was measured on.
type Host struct {
	Hostname string `json:"hostname,omitempty"`
	CPUs     int    `json:"cpus"`
	// UsableCPUs is how many CPUs this process may run on (affinity and
	// cgroup quota); GOMAXPROCS is what the Go runtime set from it.
	UsableCPUs int    `json:"usable_cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model,omitempty"`
	OS         string `json:"os"`
	Platform   string `json:"platform,omitempty"`
	Kernel     string `json:"kernel,omitempty"`
	Arch       string `json:"arch"`
	GoVersion  string `json:"go_version"`
	// PythonVersion is the interpreter's that ran the py-* strategies.
	PythonVersion string `json:"python_version,omitempty"`
	MemoryBytes   uint64 `json:"memory_bytes,omitempty"`
}

// Config is the plan the run was asked to carry out.
type Config struct {
	Workloads      []string          `json:"workloads"`
	Strategies     []string          `json:"strategies"`
	Tasks          int               `json:"tasks"`
	Workers        int               `json:"workers"`
	WorkerSizes    []int             `json:"worker_sizes,omitempty"` // sweep only
	TaskSize       map[string]string `json:"task_size,omitempty"`    // per workload, as given
	Repeat         int               `json:"repeat"`
	Warmup         int               `json:"warmup"`
	SampleInterval string            `json:"sample_interval,omitempty"`
	Inject         string            `json:"inject,omitempty"`
	Seed           int64             `json:"seed,omitempty"`
	TaskTimeout    string            `json:"task_timeout,omitempty"`
	// MaxProcesses is the cap on process-per-task's processes at once,
	// when it ran with one.
	MaxProcesses int `json:"max_processes,omitempty"`
	// WorkerBinary is the base name of the executable the process pools'
	// workers ran (pool-*, process-per-task): poolbench-worker, the worker
	// alone, or the program itself re-executed; names joined by commas
	// when workloads differed (a program's own functions are only in the
	// program). Absent in runs without such a strategy, and in runs of
	// poolbench builds that always re-executed themselves.
	WorkerBinary string `json:"worker_binary,omitempty"`
	// ChunkSize is the *-pool-map strategies' chunk size, when one was
	// given (absent: each pool's default).
	ChunkSize int `json:"chunk_size,omitempty"`
	// The workload options, where a workload of the run reads them:
	// payload's sizes ("in=65536,out=65536"), skewed's sigma, exec's
	// command (run directly, split on blanks, when CmdArgv), the file
	// of a program's own function's arguments.
	Payload  string   `json:"payload,omitempty"`
	Skew     *float64 `json:"skew,omitempty"`
	Cmd      string   `json:"cmd,omitempty"`
	CmdArgv  bool     `json:"cmd_argv,omitempty"`
	ArgsFile string   `json:"args_file,omitempty"`
	// WorkloadDocs is each workload's one-line explanation.
	WorkloadDocs map[string]string `json:"workload_docs,omitempty"`
	// Python is the interpreter that ran the py-* strategies, and
	// PyStartMethod the multiprocessing start method they used.
	Python        string `json:"python,omitempty"`
	PyStartMethod string `json:"py_start_method,omitempty"`
	// The logging experiment's own plan (poolbench log).
	LogWriters    int    `json:"log_writers,omitempty"`
	LogRecords    int    `json:"log_records,omitempty"`
	LogRecordSize string `json:"log_record_size,omitempty"`
}
