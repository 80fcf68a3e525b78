package claims

import (
	"github.com/poolbench/poolbench/results"
)

// Hand-made runs for the claims' tests: the article's shape, and edits of it.

// result builds a result of a strategy on a workload with a median wall
// time, as the harness would aggregate it; opts fill in the rest.
func result(strategy, workload string, wall float64, opts ...func(*results.Result)) results.Result {
	r := results.Result{
		Strategy: strategy, Workload: workload, Tasks: 100, Concurrency: 1, Repeats: 3,
		CPUs: 2, Baseline: "serial",
		WallSeconds:  results.Summary{Median: wall, Mean: wall, Min: wall, Max: wall, N: 3},
		PeakRSSBytes: results.Summary{Median: 16 << 20},
	}
	switch strategy {
	case "goroutines", "goroutines-1cpu", "process-per-task":
		r.Concurrency = 100
	case "pool-apply-async":
		r.PoolSize, r.Concurrency = 10, 10
	case "pool-apply":
		r.PoolSize = 10
	}
	if strategy == "goroutines-1cpu" {
		r.CPUs = 1
	}
	switch workload {
	case "cpu":
		r.Bound = "cpu"
	case "io":
		r.Bound, r.TaskNominalSeconds = "latency", 0.05
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// pool sets the size of a result's pool, as a sweep stores it.
func pool(n int) func(*results.Result) {
	return func(r *results.Result) {
		r.PoolSize = n
		if r.Strategy != "pool-apply" {
			r.Concurrency = min(n, r.Tasks)
		}
	}
}

func spawns(n int, median, total float64, rss float64) func(*results.Result) {
	return func(r *results.Result) {
		r.ProcessesSpawned = n
		r.SpawnSeconds = results.SpawnSummary{Count: n, Median: median, Total: total}
		r.PeakRSSBytes.Median = rss
	}
}

func callbacks(parent int, workers []int, pids ...int) func(*results.Result) {
	return func(r *results.Result) { r.ParentPID, r.WorkerPIDs, r.CallbackPIDs = parent, workers, pids }
}

func logMode(mode string, intact, torn, lost int) results.LogMode {
	return withLegacyFields(results.LogMode{Mode: mode, Writers: 10, RecordsExpected: 10000, RecordsIntact: intact, RecordsTorn: torn, RecordsLost: lost})
}

// fixture is a run on 2 CPUs of 100 tasks and a pool of 10, where goroutines
// scale and GOMAXPROCS=1 does not, a process per task costs 10× the pool,
// and the unlocked log is torn.
func fixture() *results.Run {
	return &results.Run{
		SchemaVersion: results.SchemaVersion,
		Host:          results.Host{CPUs: 2},
		Config:        results.Config{Workloads: []string{"cpu", "io"}, Tasks: 100, Workers: 10, TaskSize: map[string]string{"cpu": "250k", "io": "50ms"}},
		Results: []results.Result{
			result("serial", "cpu", 2.0),
			result("goroutines", "cpu", 1.0),
			result("goroutines-1cpu", "cpu", 2.0),
			result("process-per-task", "cpu", 1.3, spawns(100, 0.2, 20, 1.2*(1<<30))),
			result("pool-apply", "cpu", 2.1, spawns(10, 0.02, 0.2, 140<<20)),
			result("pool-apply-async", "cpu", 1.1, spawns(10, 0.02, 0.2, 140<<20), callbacks(42, []int{50, 51}, 42)),
			result("serial", "io", 5.0),
			result("goroutines", "io", 0.05),
			result("goroutines-1cpu", "io", 0.05),
			result("process-per-task", "io", 0.3, spawns(100, 0.1, 10, 1.1*(1<<30))),
			result("pool-apply", "io", 5.05, spawns(10, 0.02, 0.2, 140<<20)),
			result("pool-apply-async", "io", 0.55, spawns(10, 0.02, 0.2, 140<<20), callbacks(43, []int{60, 61, 62}, 43)),
		},
		Logging: []results.LogMode{
			logMode("unlocked", 7000, 3000, 3000),
			logMode("locked", 10000, 0, 0),
			logMode("callback", 10000, 0, 0),
		},
	}
}

// python is the fixture as CPython's own strategies would give it, each
// against py-serial: threads that do not scale on cpu (the GIL) and do on
// io, and pools as the fixture's.
func python() *results.Run {
	run := fixture()
	names := map[string]string{"serial": "py-serial", "goroutines": "py-threads", "process-per-task": "py-process-per-task",
		"pool-apply": "py-pool-apply", "pool-apply-async": "py-pool-apply-async"}
	var rs []results.Result
	for _, r := range run.Results {
		if py, ok := names[r.Strategy]; ok {
			r.Strategy, r.Baseline, r.CallbackPIDs, r.WorkerPIDs = py, "py-serial", nil, nil
			if py == "py-threads" && r.Workload == "cpu" {
				r.WallSeconds = results.Summary{Median: 2.1, Mean: 2.1, Min: 2.1, Max: 2.1, N: 3}
			}
			rs = append(rs, r)
		}
	}
	run.Results, run.Logging = rs, nil
	return run
}

// keep returns a copy of the fixture holding only the given strategies.
func keep(strategies ...string) *results.Run {
	run := fixture()
	var rs []results.Result
	for _, r := range run.Results {
		for _, s := range strategies {
			if r.Strategy == s {
				rs = append(rs, r)
			}
		}
	}
	run.Results, run.Logging = rs, nil
	return run
}

func edit(f func(*results.Run)) *results.Run {
	run := fixture()
	f(run)
	return run
}

// each applies f to the results of strategy on workload; "" matches any.
func each(run *results.Run, strategy, workload string, f func(*results.Result)) {
	for i := range run.Results {
		if r := &run.Results[i]; (strategy == "" || r.Strategy == strategy) && (workload == "" || r.Workload == workload) {
			f(r)
		}
	}
}

// setWall changes the median wall time of one result.
func setWall(run *results.Run, strategy, workload string, wall float64) {
	each(run, strategy, workload, func(r *results.Result) {
		r.WallSeconds = results.Summary{Median: wall, Mean: wall, Min: wall, Max: wall, N: r.WallSeconds.N}
	})
}

// shrink makes the run's tasks count and total work what a small run
// would have: n tasks, serial taking wall on each workload.
func shrink(run *results.Run, n int) {
	run.Config.Tasks = n
	each(run, "", "", func(r *results.Result) { r.Tasks = n })
}

// sweep is the fixture's io and cpu measured as `poolbench sweep --workers
// 1,10`: a pool of 1 about as slow as serial, and a pool of 10 at the given
// io wall time.
func sweep(io10 float64) *results.Run {
	run := keep("serial", "pool-apply", "pool-apply-async", "process-per-task")
	run.Config.Workers, run.Config.WorkerSizes = 0, []int{1, 10}
	var rs []results.Result
	for _, r := range run.Results {
		if r.Strategy != "pool-apply" && r.Strategy != "pool-apply-async" {
			rs = append(rs, r)
			continue
		}
		one, ten := r, r
		pool(1)(&one)
		pool(10)(&ten)
		spawns(1, 0.02, 0.02, 30<<20)(&one)
		one.WallSeconds.Median = 1.02 * find(run, "serial", r.Workload).WallSeconds.Median
		if r.Strategy == "pool-apply-async" && r.Workload == "io" {
			ten.WallSeconds.Median = io10
		}
		rs = append(rs, one, ten)
	}
	run.Results = rs
	return run
}

// failEvery makes every task of strategy fail, as `--inject crash=1.0` does.
func failEvery(run *results.Run, strategy string) {
	each(run, strategy, "", func(r *results.Result) {
		r.Errors, r.ErrorsTotal = r.Tasks, r.Tasks*r.Repeats
		r.ErrorKinds = map[string]int{"crash": r.ErrorsTotal}
		r.WallSeconds.Median /= 100 // a crash is quicker than the work
	})
}

// withLegacyFields fills in what a mode is, as sharedlog states it, from
// the names the tests' hand-made modes use.
func withLegacyFields(m results.LogMode) results.LogMode {
	if m.WritersKind != "" {
		return m
	}
	switch m.Mode {
	case "unlocked":
		m.WritersKind, m.CrossProcess, m.OAppend, m.WriteUnit, m.BufferBytes = results.WritersProcesses, true, true, results.WriteUnitBufferedSplit, 4096
	case "unlocked-noappend":
		m.WritersKind, m.CrossProcess, m.WriteUnit, m.BufferBytes = results.WritersProcesses, true, results.WriteUnitBufferedSplit, 4096
	case "locked":
		m.WritersKind, m.CrossProcess, m.OAppend, m.Locked, m.Lock = results.WritersProcesses, true, true, true, results.LockFlock
	case "mutex":
		m.WritersKind, m.Locked, m.Lock, m.WriteUnit = results.WritersGoroutines, true, results.LockMutex, results.WriteUnitRecord
	case "channel":
		m.WritersKind, m.SingleWriter = results.WritersGoroutines, true
	case "callback":
		m.WritersKind, m.SingleWriter = results.WritersPool, true
	}
	return m
}
