package report

import (
	"fmt"

	"github.com/poolbench/poolbench/results"
)

// Fixtures for the logging experiment and the claims table; hand-written,
// like the rest of the fixtures, and used only by the tests.

func fixtureLogging() []results.LogMode {
	mode := func(name string, wall float64, intact, torn, lost, dup int, note string, describe func(*results.LogMode)) results.LogMode {
		m := results.LogMode{
			Mode: name, Writers: 10, RecordsExpected: 10000, RecordsIntact: intact, RecordsTorn: torn,
			RecordsLost: lost, RecordsDuplicated: dup, WallSeconds: wall, RecordsPerSecond: round9(10000 / wall),
			FileBytes: int64(intact+torn) * 5000, Note: note,
			WritersKind: results.WritersProcesses, CrossProcess: true, OAppend: true, WriteUnit: results.WriteUnitRecord,
		}
		describe(&m)
		return m
	}
	return []results.LogMode{
		mode("unlocked-split", 0.412, 9712, 231, 288, 0, "torn: bufio flushes when full, mid-record",
			func(m *results.LogMode) { m.WriteUnit, m.BufferBytes = results.WriteUnitBufferedSplit, 4096 }),
		mode("unlocked-whole", 0.398, 10000, 0, 0, 0, "O_APPEND writes to a local file are appended whole on Linux",
			func(*results.LogMode) {}),
		mode("locked", 0.941, 10000, 0, 0, 0, "", func(m *results.LogMode) { m.Locked, m.Lock = true, results.LockFlock }),
		mode("callback", 0.367, 10000, 0, 0, 0, "one writer: the parent's callback", func(m *results.LogMode) {
			m.WritersKind, m.CrossProcess, m.SingleWriter = results.WritersPool, false, true
			m.WriteUnit, m.BufferBytes = results.WriteUnitBufferedSplit, 65536
		}),
	}
}

func fixtureClaims() []results.Claim {
	return []results.Claim{
		{ID: 1, Statement: "Threads do not speed up CPU-bound work", Measurement: "goroutines vs goroutines-1cpu on cpu",
			Figures: "goroutines 1.97×, goroutines-1cpu 0.99×", Kind: results.Partly, Verdict: "holds only when GOMAXPROCS=1"},
		{ID: 2, Statement: "One process per task costs far more than a pool", Measurement: "process-per-task vs pool-apply-async",
			Figures: "100 vs 10 spawns, 214 MiB vs 97 MiB", Kind: results.Holds, Verdict: "holds"},
		{ID: 3, Statement: "A pool of 10 runs 100 sleeping tasks about 10x faster than serial", Measurement: "pool-apply-async on io",
			Figures: fmt.Sprintf("%.2f×", 5.012/0.531), Kind: results.Holds, Verdict: "holds"},
		{ID: 4, Statement: "apply gives no parallelism; apply_async does", Measurement: "pool-apply vs pool-apply-async on io",
			Figures: "0.98× vs 9.44×", Kind: results.Holds, Verdict: "holds"},
	}
}
