package results

// LogMode is one mode of the shared-logging experiment: several writers
// appending records to one file, and what survived.
//
// Besides its name, a mode states what it is in fields of its own, so that a
// reader (the claims, a report) judges it without parsing the name.
type LogMode struct {
	Mode    string `json:"mode"`
	Writers int    `json:"writers"`
	// WritersKind is who writes: one of the Writers* constants.
	WritersKind string `json:"writers_kind"`
	// CrossProcess is set when several OS processes append to the file
	// themselves: the case the article's claim is about. The callback mode
	// makes its records in worker processes but has one process write them,
	// so it is not cross-process; see SingleWriter.
	CrossProcess bool `json:"cross_process"`
	// SingleWriter is set when one goroutine alone writes to the file (the
	// channel mode's writer, the parent's callback): nothing to exclude.
	SingleWriter bool `json:"single_writer"`
	// WriteUnit says how records map to write(2) calls: one of the
	// WriteUnit* constants.
	WriteUnit string `json:"write_unit"`
	// OAppend is set when the writers open the file with O_APPEND.
	OAppend bool `json:"o_append"`
	// Locked is set when each record's write is made under a lock shared by
	// all the writers; Lock names it (one of the Lock* constants).
	Locked bool   `json:"locked"`
	Lock   string `json:"lock,omitempty"`
	// BufferBytes is the writers' buffer size, where they buffer.
	BufferBytes int `json:"buffer_bytes,omitempty"`
	// Python is the version of the python3 that ran the writers of a
	// python mode.
	Python string `json:"python,omitempty"`

	// Of the records expected, RecordsIntact were found whole at least
	// once and RecordsLost were not (expected minus intact: a torn record
	// is lost too); RecordsTorn counts the damaged records found, and
	// RecordsDuplicated the extra copies of intact ones.
	RecordsExpected   int     `json:"records_expected"`
	RecordsIntact     int     `json:"records_intact"`
	RecordsTorn       int     `json:"records_torn"`
	RecordsLost       int     `json:"records_lost"`
	RecordsDuplicated int     `json:"records_duplicated"`
	WallSeconds       float64 `json:"wall_seconds"`
	RecordsPerSecond  float64 `json:"records_per_second"`
	FileBytes         int64   `json:"file_bytes"`
	// Note says why the mode's file came out as it did: what the OS
	// guarantees for its writes (for example that O_APPEND writes are
	// atomic on Linux), and where the damage comes from.
	Note string `json:"note,omitempty"`
}

// Values of LogMode.WritersKind.
const (
	WritersProcesses  = "processes"  // poolbench writer processes (Go)
	WritersPython     = "python"     // python3 multiprocessing.Process writers
	WritersGoroutines = "goroutines" // goroutines of one process
	WritersPool       = "pool"       // pool workers make records; the parent's callback writes them
)

// Values of LogMode.WriteUnit.
const (
	// WriteUnitRecord: each write(2) is exactly one whole record.
	WriteUnitRecord = "record"
	// WriteUnitBufferedWhole: records go through a buffer that is flushed
	// only between records, so each write(2) holds whole records only
	// (CPython's file object: it flushes before a write that does not fit).
	WriteUnitBufferedWhole = "buffered-whole"
	// WriteUnitBufferedSplit: records go through a buffer that is flushed
	// when full, wherever that falls, so a record can be split across two
	// write(2) calls (Go's bufio.Writer).
	WriteUnitBufferedSplit = "buffered-split"
)

// Values of LogMode.Lock.
const (
	LockFlock  = "flock"                // procsync.Lock: flock(2) on a lock file
	LockPython = "multiprocessing.Lock" // python3's, a POSIX semaphore
	LockMutex  = "sync.Mutex"           // goroutines of one process
)
