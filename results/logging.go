package results

// LogMode is one mode of the shared-logging experiment: several writers
// appending records to one file, and what survived.
type LogMode struct {
	Mode              string  `json:"mode"`
	Writers           int     `json:"writers"`
	RecordsExpected   int     `json:"records_expected"`
	RecordsIntact     int     `json:"records_intact"`
	RecordsTorn       int     `json:"records_torn"`
	RecordsLost       int     `json:"records_lost"`
	RecordsDuplicated int     `json:"records_duplicated"`
	WallSeconds       float64 `json:"wall_seconds"`
	RecordsPerSecond  float64 `json:"records_per_second"`
	FileBytes         int64   `json:"file_bytes"`
	// Note says what the OS guarantees for this mode, where that explains
	// the figures (for example that O_APPEND writes are atomic on Linux).
	Note string `json:"note,omitempty"`
}
