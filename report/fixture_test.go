package report

// Fixtures: hand-built, deterministic runs that look like what poolbench
// measures on a 2-CPU Linux host. They exist only for the tests; no figure
// here was measured.

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/stats"
)

const fixtureCPUs = 2

type fixtureStrategy struct {
	name    string
	workers int
	// wall is the median wall time per workload, seconds.
	wall map[string]float64
	// cv is the relative spread of wall time over trials.
	cv float64
	// spawns is the number of processes one trial starts.
	spawns int
	// rss is the peak resident memory of the tree, MiB.
	rss float64
	// parallel is how many cores the strategy keeps busy on cpu work.
	parallel float64
	// latency multiplies a task's own duration into its start-to-end time.
	latency float64
}

var fixtureStrategies = []fixtureStrategy{
	{"serial", 1, map[string]float64{"cpu": 2.004, "io": 5.012, "noop": 0.000021}, 0.01, 0, 9.8, 1, 1},
	{"goroutines", 100, map[string]float64{"cpu": 1.018, "io": 0.0523, "noop": 0.000083}, 0.02, 0, 12.4, 2, 48},
	{"goroutine-pool", 10, map[string]float64{"cpu": 1.027, "io": 0.508, "noop": 0.000102}, 0.02, 0, 11.1, 2, 5},
	{"goroutines-1cpu", 100, map[string]float64{"cpu": 2.021, "io": 0.0531, "noop": 0.000094}, 0.015, 0, 11.9, 1, 95},
	{"process-per-task", 100, map[string]float64{"cpu": 1.262, "io": 0.447, "noop": 0.392}, 0.04, 100, 214.0, 1.9, 1.3},
	{"pool-apply", 10, map[string]float64{"cpu": 2.113, "io": 5.094, "noop": 0.0121}, 0.01, 10, 96.5, 1, 1.05},
	{"pool-apply-async", 10, map[string]float64{"cpu": 1.081, "io": 0.531, "noop": 0.0063}, 0.03, 10, 97.2, 2, 1.1},
	{"pool-map", 10, map[string]float64{"cpu": 1.064, "io": 0.522, "noop": 0.0041}, 0.14, 10, 96.8, 2, 1.1},
}

// taskSeconds is how long one task takes on its own, per workload.
var taskSeconds = map[string]float64{"cpu": 0.02, "io": 0.05, "noop": 0.0000002}

var fixtureStart = time.Date(2025, 11, 20, 14, 3, 0, 0, time.UTC)

// fixtureRun is the standard fixture: 8 strategies x 3 workloads x 3 trials,
// with a logging experiment, claims, one failed task and one unstable figure.
func fixtureRun() *results.Run {
	rng := rand.New(rand.NewPCG(1, 2))
	run := fixtureBase("run")
	run.Config.Workloads = []string{"cpu", "io", "noop"}
	for _, s := range fixtureStrategies {
		run.Config.Strategies = append(run.Config.Strategies, s.name)
	}
	for _, wl := range run.Config.Workloads {
		serial := fixtureStrategies[0].wall[wl]
		for _, s := range fixtureStrategies {
			r := fixtureResult(rng, s, wl, s.workers, s.wall[wl], serial)
			if s.name == "process-per-task" && wl == "io" {
				r.Trials[1].Errors = 1
				r.Trials[1].ErrorKinds = map[string]int{"crash": 1}
				r.Errors, r.ErrorsTotal = 0, 1 // the median trial had none
				r.ErrorKinds = map[string]int{"crash": 1}
				r.ErrorSamples = []string{"task 57: worker 4242 exited with signal: killed"}
			}
			run.Results = append(run.Results, r)
		}
	}
	stats.Derive(run)
	run.Logging = fixtureLogging()
	run.Claims = fixtureClaims()
	run.Notes = []string{"1 warmup trial per strategy and workload was discarded"}
	return run
}

// fixtureSweep is a pool-size scan of two pools on cpu and io.
func fixtureSweep() *results.Run {
	rng := rand.New(rand.NewPCG(3, 4))
	run := fixtureBase("sweep")
	run.Config.Workloads = []string{"cpu", "io"}
	run.Config.Strategies = []string{"serial", "goroutine-pool", "pool-apply-async"}
	run.Config.WorkerSizes = []int{1, 2, 4, 8, 16}
	serial := map[string]float64{"cpu": 2.004, "io": 5.012}
	for _, wl := range run.Config.Workloads {
		run.Results = append(run.Results, fixtureResult(rng, fixtureStrategies[0], wl, 1, serial[wl], serial[wl]))
		for _, name := range run.Config.Strategies[1:] { // serial is the baseline, above
			s := fixtureStrategies[slices.IndexFunc(fixtureStrategies, func(f fixtureStrategy) bool { return f.name == name })]
			for _, n := range run.Config.WorkerSizes {
				var wall float64
				if wl == "cpu" {
					wall = serial[wl] / math.Min(float64(n), fixtureCPUs) * (1 + 0.012*float64(n))
				} else {
					wall = serial[wl]/float64(n) + 0.004*float64(n)
				}
				if s.spawns > 0 {
					wall += 0.004 * float64(n)
					s.spawns = n
				}
				s.parallel = math.Min(float64(n), fixtureCPUs)
				run.Results = append(run.Results, fixtureResult(rng, s, wl, n, wall, serial[wl]))
			}
		}
	}
	stats.Derive(run)
	return run
}

func fixtureBase(command string) *results.Run {
	return &results.Run{
		SchemaVersion:    results.SchemaVersion,
		PoolbenchVersion: "v0.3.0",
		Command:          command,
		StartedAt:        fixtureStart,
		FinishedAt:       fixtureStart.Add(94 * time.Second),
		Host: results.Host{
			Hostname: "bench-01", CPUs: fixtureCPUs, CPUModel: "Intel(R) Xeon(R) CPU @ 2.20GHz",
			OS: "linux", Platform: "debian 12.8", Kernel: "6.1.0-27-amd64", Arch: "amd64",
			GoVersion: "go1.26.0", MemoryBytes: 8 << 30,
		},
		Config: results.Config{
			Tasks: 100, Workers: 10,
			TaskSize: map[string]string{"cpu": "20ms", "io": "50ms", "noop": "0"},
			Repeat:   3, Warmup: 1, SampleInterval: "50ms", Seed: 42, TaskTimeout: "30s",
		},
	}
}

func fixtureResult(rng *rand.Rand, s fixtureStrategy, wl string, workers int, wall, serial float64) results.Result {
	const tasks, repeats = 100, 3
	r := results.Result{Strategy: s.name, Workload: wl, Tasks: tasks, Repeats: repeats,
		Concurrency: min(workers, tasks), CPUs: fixtureCPUs, Baseline: "serial"}
	switch s.name {
	case "goroutine-pool", "pool-apply-async", "pool-map":
		r.PoolSize = workers
	case "pool-apply":
		r.PoolSize, r.Concurrency = workers, 1
	case "goroutines-1cpu":
		r.CPUs = 1
	}
	switch wl {
	case "cpu":
		r.Bound = "cpu"
	case "io":
		r.Bound, r.TaskNominalSeconds = "latency", taskSeconds[wl]
	}
	var walls, users, syss, rsss, procs, ctxs []float64
	var spawnMedians []float64
	for i := range repeats {
		w := wall * (1 + s.cv*(rng.Float64()*2-1)*1.2)
		busy := math.Min(s.parallel, fixtureCPUs)
		user := w * busy * 0.97
		sys := w*busy*0.03 + 0.0021*float64(s.spawns)
		if wl != "cpu" {
			user, sys = 0.002*float64(tasks)/100+0.0005*float64(s.spawns), 0.003+0.0014*float64(s.spawns)
		}
		rss := uint64((s.rss + rng.Float64()*1.5) * (1 << 20))
		t := results.Trial{
			Repeat: i, WallSeconds: round9(w), CPUUserSeconds: round9(user), CPUSystemSeconds: round9(sys),
			PeakRSSBytes: rss, PeakProcesses: 1 + min(s.spawns, workers),
			VoluntaryCtxSwitches: int64(120 + rng.IntN(40) + 3*s.spawns), InvoluntaryCtxSwitches: int64(8 + rng.IntN(6)),
			ProcessesSpawned: s.spawns,
		}
		for range s.spawns {
			t.SpawnSeconds = append(t.SpawnSeconds, round9(0.0031+0.0009*rng.NormFloat64()*0.5+0.0004*rng.ExpFloat64()))
		}
		d := taskSeconds[wl] * s.latency
		t.TaskSeconds = results.Quantiles{
			Count: tasks, Mean: round9(d * 1.08), Min: round9(d * 0.91), P50: round9(d), P90: round9(d * 1.18),
			P95: round9(d * 1.27), P99: round9(d * 1.61), Max: round9(d * 2.2),
		}
		if wl == "cpu" {
			t.Checksum = "9f2c41aa07d3"
		}
		for k := range 20 {
			at := w * float64(k) / 19
			cpu := busy * 100 * (0.93 + 0.07*rng.Float64())
			if wl != "cpu" {
				cpu = 3 + 4*rng.Float64() + 0.2*float64(s.spawns)
			}
			if k == 0 || k == 19 {
				cpu /= 3
			}
			t.Samples = append(t.Samples, results.Sample{
				Seconds: round9(at), RSSBytes: rss * uint64(8+k) / 27, CPUPercent: math.Round(cpu*10) / 10,
				Processes: 1 + min(s.spawns, workers),
			})
		}
		walls = append(walls, t.WallSeconds)
		users = append(users, t.CPUUserSeconds)
		syss = append(syss, t.CPUSystemSeconds)
		rsss = append(rsss, float64(t.PeakRSSBytes))
		procs = append(procs, float64(t.PeakProcesses))
		ctxs = append(ctxs, float64(t.VoluntaryCtxSwitches+t.InvoluntaryCtxSwitches))
		if len(t.SpawnSeconds) > 0 {
			spawnMedians = append(spawnMedians, median(t.SpawnSeconds))
		}
		r.Trials = append(r.Trials, t)
	}
	r.WallSeconds = summarize(walls)
	r.CPUUserSeconds = summarize(users)
	r.CPUSystemSeconds = summarize(syss)
	r.PeakRSSBytes = summarize(rsss)
	r.PeakProcesses = summarize(procs)
	r.ContextSwitches = summarize(ctxs)
	r.ProcessesSpawned = s.spawns
	if s.spawns > 0 {
		var all, totals []float64
		for _, t := range r.Trials {
			all = append(all, t.SpawnSeconds...)
			sum := 0.0
			for _, v := range t.SpawnSeconds {
				sum += v
			}
			totals = append(totals, sum)
		}
		slices.Sort(all)
		r.SpawnSeconds = results.SpawnSummary{
			Count: len(all), Median: median(all), P95: all[int(math.Ceil(0.95*float64(len(all))))-1],
			Max: all[len(all)-1], Total: round9(median(totals)),
		}
		r.SpawnShare = round9(r.SpawnSeconds.Total / r.WallSeconds.Median)
	}
	r.TaskSeconds = r.Trials[1].TaskSeconds
	if wl == "cpu" {
		ok := true
		r.Checksum = "9f2c41aa07d3"
		r.ChecksumOK = &ok
	}
	if slices.Contains([]string{"pool-apply", "pool-apply-async", "pool-map"}, s.name) {
		r.ParentPID = 31000 + len(s.name)
		r.CallbackPIDs = []int{r.ParentPID}
	}
	return r
}

func summarize(vs []float64) results.Summary {
	s := results.Summary{N: len(vs), Median: median(vs), Min: slices.Min(vs), Max: slices.Max(vs)}
	for _, v := range vs {
		s.Mean += v
	}
	s.Mean /= float64(len(vs))
	for _, v := range vs {
		s.Stddev += (v - s.Mean) * (v - s.Mean)
	}
	if len(vs) > 1 {
		s.Stddev = math.Sqrt(s.Stddev / float64(len(vs)-1))
	}
	s.Mean, s.Stddev = round9(s.Mean), round9(s.Stddev)
	return s
}

// round9 keeps fixture figures at nanosecond precision, so that the JSON
// fixture and the golden files do not carry float noise.
func round9(v float64) float64 { return math.Round(v*1e9) / 1e9 }
