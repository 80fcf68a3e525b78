package results

// Result is the summary of one strategy on one workload over its repeats.
type Result struct {
	Strategy string `json:"strategy"`
	Workload string `json:"workload"`
	Tasks    int    `json:"tasks"`
	// PoolSize is how many processes or goroutines the strategy keeps to run
	// tasks (--workers); 0 for strategies that keep none.
	PoolSize int `json:"pool_size"`
	// Concurrency is how many tasks may be in flight at once: the pool size
	// for Apply-async pools, 1 for serial and for a pool used through the
	// blocking Apply, the task count for one-per-task strategies.
	Concurrency int `json:"concurrency"`
	// CPUs is how many CPUs the strategy's tasks may run on at once: 1 under
	// GOMAXPROCS=1, the usable CPUs otherwise.
	CPUs int `json:"cpus"`
	// Bound says what limits the workload's tasks: "cpu" (their run time
	// divides over CPUs), "latency" (they wait: their time overlaps freely),
	// or "" (no model: noop). It decides IdealSeconds.
	Bound string `json:"bound,omitempty"`
	// TaskNominalSeconds is a latency-bound task's own duration (the io
	// workload's sleep), for the ideal.
	TaskNominalSeconds float64 `json:"task_nominal_seconds,omitempty"`
	// LongestTaskShare is a cpu-bound batch's largest task's share of its
	// work (1/tasks where all are the same size; skewed's drawn sizes),
	// for the ideal: no schedule ends before that task does.
	LongestTaskShare float64 `json:"longest_task_share,omitempty"`
	// Baseline names the result this one's speedup is against: serial, or
	// the serial strategy of its own family (py-serial for CPython).
	Baseline string `json:"baseline,omitempty"`
	Repeats  int    `json:"repeats"`

	WallSeconds      Summary `json:"wall_seconds"`
	CPUUserSeconds   Summary `json:"cpu_user_seconds"`
	CPUSystemSeconds Summary `json:"cpu_system_seconds"`
	// PeakPSSBytes is the headline memory figure: the peak of the trial
	// tree's summed PSS, in which pages shared by several processes (the
	// poolbench binary's text) are split between them.
	PeakPSSBytes Summary `json:"peak_pss_bytes,omitzero"`
	// PeakRSSBytes is the peak of the tree's summed RSS, as top shows it:
	// shared pages count once per process that maps them.
	PeakRSSBytes Summary `json:"peak_rss_bytes"`
	// PeakCgroupBytes is the peak of the memory cgroup each trial ran in,
	// the kernel's independent account; absent where none could be made.
	PeakCgroupBytes Summary `json:"peak_cgroup_bytes,omitzero"`
	// PeakProcesses is the largest number of processes seen at once in the
	// trial's tree (the trial process included).
	PeakProcesses Summary `json:"peak_processes"`
	// ContextSwitches counts voluntary plus involuntary switches (rusage).
	ContextSwitches Summary `json:"context_switches"`

	// ProcessesSpawned counts the processes a strategy started in one
	// trial (median over repeats): its workers, 0 for goroutine
	// strategies. A task's own processes (exec's commands) are not
	// counted; peak_processes sees them.
	ProcessesSpawned int          `json:"processes_spawned"`
	SpawnSeconds     SpawnSummary `json:"spawn_seconds"`
	// SoloSpawnSeconds is how long the same worker binary takes to start
	// with nothing else running: the median of a few starts made just
	// before each trial. Spawn times above it are waiting for a CPU.
	SoloSpawnSeconds float64 `json:"solo_spawn_seconds,omitempty"`
	// SpawnCPUSeconds is the median CPU (user + system) a started process
	// used to get ready, over every spawn where it was measured: the cost
	// of starting one apart from waiting for a CPU.
	SpawnCPUSeconds float64 `json:"spawn_cpu_seconds,omitempty"`
	// SpawnShare is total spawn time over wall time (median trial); with
	// concurrent spawns it can exceed 1.
	SpawnShare float64 `json:"spawn_share"`

	TaskSeconds Quantiles `json:"task_seconds"`
	// TaskFinishSeconds are the quantiles 0, 5%, ..., 100% of the tasks'
	// finishing times since the batch started (median trial): a CDF whose
	// last point is when the last task finished.
	TaskFinishSeconds []float64 `json:"task_finish_seconds,omitempty"`
	// BytesPerTask is how many bytes one task moves in and out, for the
	// workloads about moving data (payload).
	BytesPerTask uint64 `json:"bytes_per_task,omitempty"`
	// The derived figures, computed once by package stats. Each is null when
	// it cannot be known: no task succeeded, no baseline was measured, or
	// the workload has no ideal.
	TasksPerSecond  *float64 `json:"tasks_per_second"`
	IdealSeconds    *float64 `json:"ideal_seconds"`
	SpeedupVsSerial *float64 `json:"speedup_vs_serial"`
	Efficiency      *float64 `json:"efficiency"`
	// BytesPerSecond is the bytes moved per second of wall time (payload),
	// and LastFinishVsIdeal the last task's finishing time over the ideal
	// time: the tail a straggler adds (skewed shows it best).
	BytesPerSecond    *float64 `json:"bytes_per_second,omitempty"`
	LastFinishVsIdeal *float64 `json:"last_finish_vs_ideal,omitempty"`
	// PipeBytesPerSecond is the raw pipe bandwidth measured in the same run
	// (the same bytes to a child process and back, one round trip at a
	// time, no framing or pool; median of one measurement per repeat), and
	// BytesPerSecondVsPipe this result's bytes per second over it.
	PipeBytesPerSecond   *float64 `json:"pipe_bytes_per_second,omitempty"`
	BytesPerSecondVsPipe *float64 `json:"bytes_per_second_vs_pipe,omitempty"`
	// GoCounterpart is, for a strategy of another language, its Go
	// analogue, and WallRatioVsGo its wall time over that analogue's
	// (median over median): how many times slower it is at the same thing.
	GoCounterpart string   `json:"go_counterpart,omitempty"`
	WallRatioVsGo *float64 `json:"wall_ratio_vs_go,omitempty"`

	// Errors is the failed tasks of one trial (the median over the measured
	// trials, rounded), ErrorsTotal those of all of them, and ErrorKinds
	// breaks the total down (crash, error, timeout, ...).
	Errors      int            `json:"errors"`
	ErrorsTotal int            `json:"errors_total"`
	ErrorKinds  map[string]int `json:"error_kinds,omitempty"`
	// ErrorSamples keeps a few error messages, verbatim, for the report.
	ErrorSamples []string `json:"error_samples,omitempty"`

	// Checksum is the combined checksum of the task results (cpu workload);
	// ChecksumOK says whether it matched serial's.
	Checksum   string `json:"checksum,omitempty"`
	ChecksumOK *bool  `json:"checksum_ok,omitempty"`

	// CallbackPIDs are the distinct pids that ran result callbacks,
	// WorkerPIDs the distinct pids of the workers that ran the tasks (as the
	// pool reported them with each result), and ParentPID the pid of the
	// trial process that owned the pool; from the last measured trial.
	CallbackPIDs []int `json:"callback_pids,omitempty"`
	WorkerPIDs   []int `json:"worker_pids,omitempty"`
	ParentPID    int   `json:"parent_pid,omitempty"`

	// SampleIntervalSeconds is the longest interval at which the trials'
	// process trees were sampled: longer than asked where a large tree
	// would have cost the sampler more than its budget.
	SampleIntervalSeconds float64 `json:"sample_interval_seconds,omitempty"`
	// Noisy is set when other work on the machine, or figures no quiet
	// machine produces, made the result unreliable; NoisyReason says what
	// was seen.
	Noisy       bool   `json:"noisy,omitempty"`
	NoisyReason string `json:"noisy_reason,omitempty"`

	// For a NATS pool strategy: NATSServer is the kind of server the pool
	// used ("embedded" in the trial process, or "external"), NATSServerStart
	// the embedded server's start-up in seconds (median trial; the wall time
	// includes it), and Hosts the tasks each host's workers served (last
	// measured trial).
	NATSServer      string         `json:"nats_server,omitempty"`
	NATSServerStart float64        `json:"nats_server_start_seconds,omitempty"`
	Hosts           map[string]int `json:"hosts,omitempty"`

	Warnings []string `json:"warnings,omitempty"`
	Trials   []Trial  `json:"trials"`
}

// Trial is one measured repeat: one fresh trial process running one strategy
// on one workload.
type Trial struct {
	Repeat                 int     `json:"repeat"`
	WallSeconds            float64 `json:"wall_seconds"`
	CPUUserSeconds         float64 `json:"cpu_user_seconds"`
	CPUSystemSeconds       float64 `json:"cpu_system_seconds"`
	PeakPSSBytes           uint64  `json:"peak_pss_bytes,omitempty"`
	PeakRSSBytes           uint64  `json:"peak_rss_bytes"`
	PeakCgroupBytes        uint64  `json:"peak_cgroup_bytes,omitempty"`
	PeakProcesses          int     `json:"peak_processes"`
	VoluntaryCtxSwitches   int64   `json:"voluntary_ctx_switches"`
	InvoluntaryCtxSwitches int64   `json:"involuntary_ctx_switches"`
	ProcessesSpawned       int     `json:"processes_spawned"`
	// SpawnSeconds holds each spawn's duration, start call to ready handshake.
	SpawnSeconds []float64 `json:"spawn_seconds,omitempty"`
	// SpawnCPUSeconds is, for each spawn in SpawnSeconds, the CPU (user +
	// system) the process used to get ready; 0 where it was not measured.
	SpawnCPUSeconds []float64 `json:"spawn_cpu_seconds,omitempty"`
	// SoloSpawnSeconds are the starts of the worker binary alone, made
	// just before the trial.
	SoloSpawnSeconds []float64 `json:"solo_spawn_seconds,omitempty"`
	// OtherCPUSeconds is the CPU the rest of the machine used during the
	// trial: busy time from /proc/stat less the trial tree's and this
	// process's own.
	OtherCPUSeconds float64 `json:"other_cpu_seconds,omitempty"`
	// SampleIntervalSeconds is the longest interval the sampler used.
	SampleIntervalSeconds float64 `json:"sample_interval_seconds,omitempty"`
	// NoisyReason is set when the machine was busy with other work.
	NoisyReason string `json:"noisy_reason,omitempty"`
	// NATSServerStart is a NATS pool's embedded server start-up, in seconds.
	NATSServerStart float64   `json:"nats_server_start_seconds,omitempty"`
	TaskSeconds     Quantiles `json:"task_seconds"`
	// PipeBytesPerSecond is the raw pipe bandwidth measured just before
	// this trial's repeat (payload only).
	PipeBytesPerSecond float64 `json:"pipe_bytes_per_second,omitempty"`
	// TaskFinishSeconds: as Result's, for this trial.
	TaskFinishSeconds []float64      `json:"task_finish_seconds,omitempty"`
	Errors            int            `json:"errors"`
	ErrorKinds        map[string]int `json:"error_kinds,omitempty"`
	Checksum          string         `json:"checksum,omitempty"`
	// Samples is the sampler's time series for this trial, thinned to a
	// bounded number of points.
	Samples []Sample `json:"samples,omitempty"`
}

// Sample is one reading of a trial's process tree.
type Sample struct {
	Seconds  float64 `json:"t"`   // since the trial started
	RSSBytes uint64  `json:"rss"` // summed over the tree
	// PSSBytes is the proportional set size summed over the tree: shared
	// pages split between the processes mapping them.
	PSSBytes   uint64  `json:"pss,omitempty"`
	CPUPercent float64 `json:"cpu"` // of one core, since the last sample
	Processes  int     `json:"procs"`
}

// Summary describes a figure over repeats.
type Summary struct {
	Median float64 `json:"median"`
	Mean   float64 `json:"mean"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Stddev float64 `json:"stddev"`
	N      int     `json:"n"`
	// CILow and CIHigh bound the median's 95% confidence interval
	// (distribution-free, as benchstat computes it); absent below the six
	// repeats such an interval needs.
	CILow  *float64 `json:"ci_low,omitempty"`
	CIHigh *float64 `json:"ci_high,omitempty"`
}

// CV is the coefficient of variation (stddev over mean), 0 when undefined.
func (s Summary) CV() float64 {
	if s.Mean == 0 {
		return 0
	}
	return s.Stddev / s.Mean
}

// SpawnSummary describes process start-up cost over every spawn of every
// measured trial.
type SpawnSummary struct {
	Count  int     `json:"count"`
	Median float64 `json:"median"`
	P95    float64 `json:"p95"`
	Max    float64 `json:"max"`
	// Total is the summed spawn time of one trial (median over trials).
	Total float64 `json:"total"`
}

// Quantiles describes a latency distribution in seconds.
type Quantiles struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
	Min   float64 `json:"min"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}
