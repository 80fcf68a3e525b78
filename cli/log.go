package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/sharedlog"
	"github.com/spf13/cobra"
)

// Bounds of the log command's flags. Check tracks at most 1<<24 records
// (sharedlog.ErrTooMany); every writer is a process; records larger than a
// MiB show nothing about tearing that 4 KiB ones do not.
const (
	maxLogWriters    = 1024
	maxLogRecords    = 1 << 24
	maxLogRecordSize = 1 << 20
)

type logOptions struct {
	writers    int
	records    int
	recordSize string
	modes      string
	out        string
	format     string
	keepLogs   bool
	force      bool
}

func newLogCmd() *cobra.Command {
	o := logOptions{}
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Append records to one shared log file in every way, and count the damage",
		Long: `log has --writers writers each append --records records to one shared file,
once per mode, then reads the file back and counts the records that survived
intact, the torn ones, the lost (every record not found intact, torn ones
included) and the duplicated:

  unlocked-whole     writer processes, O_APPEND, one write(2) per record, no lock
  unlocked-split     the same through a 4 KiB bufio.Writer, which splits records
                     across write(2) calls; no lock
  unlocked-noappend  one write(2) per record without O_APPEND: every writer
                     starts at offset 0
  locked             writer processes holding a file lock around each record
  py-unlocked        python3 multiprocessing.Process writers, the tutorial's
                     code: open(path, 'a') and f.write(record), no lock
  py-locked          the same with a multiprocessing.Lock around each write
  mutex              goroutines sharing one file under a sync.Mutex
  channel            goroutines sending records to one writer goroutine
  callback           a process pool's workers return records; the parent's
                     callback, a single writer, appends them

The py- modes run the python3 on the PATH (isolated, standard library only);
without one they are skipped with a note. Every record says who wrote it and
carries a checksum, so damage is counted, never assumed; the note column says
why each mode's file came out as it did.`,
		Example: `  poolbench log
  poolbench log --modes unlocked-split,locked,callback --writers 4
  poolbench log --records 5000 --record-size 4KiB --keep-logs --out /tmp/logs`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.IntVar(&o.writers, "writers", sharedlog.DefaultWriters, "writers appending to the file at once (processes or goroutines)")
	f.IntVar(&o.records, "records", sharedlog.DefaultRecords, "records each writer appends")
	f.StringVar(&o.recordSize, "record-size", "100-4096", "record payload size in bytes: a range (100-4096, 100B-4KiB) or one size (4KiB)")
	f.StringVar(&o.modes, "modes", "all", "modes to run, comma-separated: "+strings.Join(modeNames(sharedlog.Modes()), ",")+" or all")
	f.StringVar(&o.out, "out", "", "folder for results.json, charts and report.html (default: a new folder under "+defaultOutRoot+"/)")
	f.StringVar(&o.format, "format", "table", "what to print on stdout: table|json|csv|markdown")
	f.BoolVar(&o.force, "force", false, "replace an earlier run in --out (its results, journal, charts, report and kept logs are removed first)")
	f.BoolVar(&o.keepLogs, "keep-logs", false, "keep the log files, in the output folder's logs/, instead of removing each once checked")
	return cmd
}

func modeNames(modes []sharedlog.Mode) []string {
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = string(m)
	}
	return names
}

// parseModes reads --modes: all, or a comma list of mode names.
func parseModes(s string) ([]sharedlog.Mode, error) {
	var modes []sharedlog.Mode
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "all" {
			return sharedlog.Modes(), nil
		}
		m, err := sharedlog.ParseMode(name)
		if err != nil {
			return nil, usagef("--modes %q: unknown mode %q (valid: %s, all)", s, name, strings.Join(modeNames(sharedlog.Modes()), ", "))
		}
		modes = append(modes, m)
	}
	if err := noDuplicates("--modes", modeNames(modes)); err != nil {
		return nil, err
	}
	return modes, nil
}

// parseRecordSize reads --record-size: one size, or min-max, each a count
// of bytes with an optional unit B, KiB or MiB.
func parseRecordSize(s string) (sharedlog.Sizes, error) {
	bad := func() error {
		return usagef("--record-size %q: want a size or a range of sizes in bytes, e.g. 100-4096, 100B-4KiB or 4KiB", s)
	}
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	var sizes sharedlog.Sizes
	for _, p := range []struct {
		text string
		v    *int
	}{{lo, &sizes.Min}, {hi, &sizes.Max}} {
		n, ok := parseBytes(p.text)
		if !ok {
			return sizes, bad()
		}
		switch {
		case n < 1:
			return sizes, usagef("--record-size %q: sizes must be at least 1 byte", s)
		case n > maxLogRecordSize:
			return sizes, usagef("--record-size %q: sizes must be at most 1 MiB", s)
		}
		*p.v = int(n)
	}
	if sizes.Min > sizes.Max {
		return sizes, usagef("--record-size %q: the minimum, %d B, is above the maximum, %d B", s, sizes.Min, sizes.Max)
	}
	return sizes, nil
}

// parseBytes reads a decimal count with an optional unit: B, KiB or MiB.
func parseBytes(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	n, err := strconv.ParseInt(s[:digits], 10, 64)
	if err != nil {
		return 0, false
	}
	unit := strings.TrimSpace(s[digits:])
	mult := int64(0)
	for _, u := range []struct {
		name string
		mult int64
	}{{"", 1}, {"B", 1}, {"KiB", 1 << 10}, {"MiB", 1 << 20}} {
		if strings.EqualFold(unit, u.name) {
			mult = u.mult
		}
	}
	if mult == 0 {
		return 0, false
	}
	if n > maxLogRecordSize {
		return n, true // too large whatever the unit; no overflow below
	}
	return n * mult, true
}

func (o *logOptions) config() (sharedlog.Config, []sharedlog.Mode, error) {
	switch {
	case o.writers < 1 || o.writers > maxLogWriters:
		return sharedlog.Config{}, nil, usagef("--writers %d: want 1 to %d", o.writers, maxLogWriters)
	case o.records < 1:
		return sharedlog.Config{}, nil, usagef("--records %d: want at least 1", o.records)
	case o.records > maxLogRecords/o.writers:
		return sharedlog.Config{}, nil, usagef("--writers %d x --records %d: at most %d records in all", o.writers, o.records, maxLogRecords)
	}
	sizes, err := parseRecordSize(o.recordSize)
	if err != nil {
		return sharedlog.Config{}, nil, err
	}
	modes, err := parseModes(o.modes)
	if err != nil {
		return sharedlog.Config{}, nil, err
	}
	if !slices.Contains([]string{"table", "json", "csv", "markdown"}, o.format) {
		return sharedlog.Config{}, nil, usagef("--format %q: want table, json, csv or markdown", o.format)
	}
	return sharedlog.Config{Writers: o.writers, Records: o.records, Sizes: sizes}, modes, nil
}

func (o *logOptions) run(cmd *cobra.Command) error {
	cfg, modes, err := o.config()
	if err != nil {
		return err
	}
	if err := checkLogSpace(o.out, cfg, modes, o.keepLogs); err != nil {
		return err
	}
	folder, err := claimFolder(o.out, "log", o.force)
	if err != nil {
		return err
	}
	defer folder.release()
	journal, err := folder.startJournal()
	if err != nil {
		return err
	}
	in := watchFolderInterrupts(cmd, folder)
	defer in.stop()
	bar := newProgressBar(cmd.ErrOrStderr())
	run, runErr := harness.Log(in.ctx, harness.LogConfig{Config: cfg, Modes: modes, RecordSize: o.recordSize,
		Dir: folder.dir, KeepLogs: o.keepLogs, Journal: journal}, bar.update)
	bar.finish()
	if run == nil {
		folder.discardJournal()
		return in.err(runErr)
	}
	return folder.save(cmd.OutOrStdout(), cmd.ErrOrStderr(), run, in.err(runErr), func(w io.Writer, run *results.Run) error {
		return printRun(w, o.format, run)
	})
}

func sizeText(s sharedlog.Sizes) string { return harness.SizeText(s) }

// logCSV writes one row per mode, floats in full precision, with what the
// mode is and its note.
func logCSV(w io.Writer, run *results.Run) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"mode", "writers", "records_expected", "records_intact", "records_torn", "records_lost",
		"records_duplicated", "wall_seconds", "records_per_second", "file_bytes",
		"writers_kind", "cross_process", "single_writer", "write_unit", "o_append", "locked", "lock", "note"})
	ff := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, m := range run.Logging {
		cw.Write([]string{m.Mode, strconv.Itoa(m.Writers), strconv.Itoa(m.RecordsExpected), strconv.Itoa(m.RecordsIntact),
			strconv.Itoa(m.RecordsTorn), strconv.Itoa(m.RecordsLost), strconv.Itoa(m.RecordsDuplicated),
			ff(m.WallSeconds), ff(m.RecordsPerSecond), strconv.FormatInt(m.FileBytes, 10),
			m.WritersKind, strconv.FormatBool(m.CrossProcess), strconv.FormatBool(m.SingleWriter), m.WriteUnit,
			strconv.FormatBool(m.OAppend), strconv.FormatBool(m.Locked), m.Lock, m.Note})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("log: csv: %w", err)
	}
	return nil
}
