package claims

import (
	"fmt"
	"strings"

	"github.com/poolbench/poolbench/results"
)

// Claim 6: unlocked concurrent appends corrupt the log; a lock or a single
// writer keeps it whole. What each mode is comes from its own fields
// (cross-process, locked, single writer, O_APPEND, write unit), not its
// name, and the claim holds only as far as the modes that tore records go.
func sharedLog(run *results.Run) (results.Claim, bool) {
	if len(run.Logging) == 0 {
		return results.Claim{}, false
	}
	var figs, torn, whole, guardedDamaged, guardedWhole []string
	remedies := 0 // guarded modes whose records come from several processes
	for _, m := range run.Logging {
		figs = append(figs, fmt.Sprintf("%s (%s): %d/%d intact, %d torn, %d lost, %d duplicated",
			m.Mode, describe(m), m.RecordsIntact, m.RecordsExpected, m.RecordsTorn, m.RecordsLost, m.RecordsDuplicated))
		named := fmt.Sprintf("%s (%s)", m.Mode, describe(m))
		switch {
		case m.Locked || m.SingleWriter:
			if damaged(m) {
				guardedDamaged = append(guardedDamaged, m.Mode)
			} else {
				guardedWhole = append(guardedWhole, m.Mode)
			}
			if m.CrossProcess || m.WritersKind == results.WritersPool {
				remedies++
			}
		case m.CrossProcess && m.OAppend:
			if damaged(m) {
				torn = append(torn, named)
			} else {
				whole = append(whole, named)
			}
		}
	}
	m := run.Logging[0]
	c := results.Claim{
		ID:        6,
		Statement: stmtSharedLog,
		Measurement: fmt.Sprintf("%d writers append %d records each to one file, once per mode; the file is read back and every record checked "+
			"(writer, sequence number, checksum): intact, torn, lost, duplicated; a file is whole when every record is intact and none is duplicated. "+
			"The first half is judged on the modes where several processes append (O_APPEND) without a lock, each as it writes "+
			"(one write(2) per record, or a buffer flushed between records or wherever it fills); the second on the locked and "+
			"single-writer modes, and needs one whose records come from several processes",
			m.Writers, m.RecordsExpected/max(m.Writers, 1)),
		Figures: strings.Join(figs, "; "),
	}
	var j judgement
	switch {
	case len(torn)+len(whole) == 0:
		j = notMeasured("no mode had several processes append to the file (O_APPEND) without a lock, as the tutorial's writers do")
	case len(guardedDamaged) > 0:
		j = judge(results.DoesNotHold, "does not hold: %s damaged the file despite its lock or single writer", strings.Join(guardedDamaged, ", "))
	case len(torn) == 0:
		j = judge(results.DoesNotHold, "does not hold: unlocked appends kept every record whole: %s", strings.Join(whole, "; "))
	case len(whole) > 0:
		j = judge(results.Partly, "holds only for %s, which damaged the file; %s stayed intact",
			strings.Join(torn, "; "), strings.Join(whole, "; "))
	case remedies == 0:
		j = judge(results.Partly, "holds in part: unlocked appends damaged the file (%s); no lock or single writer across processes was run",
			strings.Join(torn, "; "))
	default:
		j = judge(results.Holds, "holds: every unlocked append mode damaged the file (%s); %s kept it whole",
			strings.Join(torn, "; "), strings.Join(guardedWhole, ", "))
	}
	j.set(&c)
	return c, true
}

func damaged(m results.LogMode) bool {
	return m.RecordsIntact < m.RecordsExpected || m.RecordsTorn > 0 || m.RecordsLost > 0 || m.RecordsDuplicated > 0
}

// describe says how a mode's writers write, from its fields: "processes,
// one write(2) per record, O_APPEND".
func describe(m results.LogMode) string {
	var parts []string
	switch m.WritersKind {
	case results.WritersProcesses:
		parts = append(parts, "Go processes")
	case results.WritersPython:
		parts = append(parts, "python3 processes")
	case results.WritersGoroutines:
		parts = append(parts, "goroutines")
	case results.WritersPool:
		parts = append(parts, "pool workers, the parent's callback writes")
	}
	switch m.WriteUnit {
	case results.WriteUnitRecord:
		parts = append(parts, "one write(2) per record")
	case results.WriteUnitBufferedWhole:
		parts = append(parts, "buffered, flushed between records")
	case results.WriteUnitBufferedSplit:
		if m.BufferBytes > 0 {
			parts = append(parts, fmt.Sprintf("a %s buffer that splits records", size(float64(m.BufferBytes))))
		} else {
			parts = append(parts, "a buffer that splits records")
		}
	}
	if !m.SingleWriter {
		if m.OAppend {
			parts = append(parts, "O_APPEND")
		} else {
			parts = append(parts, "no O_APPEND")
		}
	}
	switch {
	case m.Locked && m.Lock != "":
		parts = append(parts, "locked ("+m.Lock+")")
	case m.Locked:
		parts = append(parts, "locked")
	case m.SingleWriter:
		parts = append(parts, "one writer")
	default:
		parts = append(parts, "no lock")
	}
	return strings.Join(parts, ", ")
}
