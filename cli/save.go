package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/report"
	"github.com/poolbench/poolbench/results"
)

// printer writes a run to stdout in the form the user asked for.
type printer func(io.Writer, *results.Run) error

// save is the one way every command that measures ends, whatever cut it
// short. What was measured is printed first, before any file is written,
// so that a full disk still leaves it on the screen; then results.json,
// the record, goes into the folder or, if it cannot, into the system's
// temporary folder, and the error names both; the journal is removed only
// once results.json is in the folder beside it; the charts and the page
// come last, drawn once. runErr is what stopped the run, if anything.
func (f *runFolder) save(stdout, stderr io.Writer, run *results.Run, runErr error, print printer) error {
	errs := []error{runErr}
	if err := print(stdout, run); err != nil {
		errs = append(errs, fmt.Errorf("print: %w", err))
	}
	if err := f.journal.Err(); err != nil {
		fmt.Fprintf(stderr, "poolbench: warning: trials could not be journaled: %v\n", unwrapPath(err))
	}
	f.saving.Lock()
	where, err := f.writeResults(run)
	if err == nil {
		f.savedTo = where
		f.discardJournal() // results.json, beside it, holds all it held
		errs[0] = savedAfter(runErr)
	}
	f.saving.Unlock()
	if err != nil {
		// Not in the folder: the journal stays there, and the charts would
		// not fit either.
		return errors.Join(append(errs, err)...)
	}
	if _, err := report.WriteFiles(f.dir, run); err != nil {
		errs = append(errs, fmt.Errorf("%w (results.json is saved: `poolbench report %s` draws them again)", err, where))
	} else {
		fmt.Fprintf(stderr, "results: %s  report: %s\n", where, filepath.Join(f.dir, "report.html"))
	}
	return errors.Join(errs...)
}

func (f *runFolder) resultsPath() string { return filepath.Join(f.dir, "results.json") }

// writeResults writes results.json into the folder or, failing that, a
// file of its own in the system's temporary folder, and returns where it
// went; the error names both paths whenever the folder failed.
func (f *runFolder) writeResults(run *results.Run) (string, error) {
	err := results.WriteFile(f.resultsPath(), run)
	if err == nil {
		return f.resultsPath(), nil
	}
	fallback, ferr := writeFallback(run)
	if ferr == nil {
		return fallback, fmt.Errorf("results.json could not be written to %s (%v), so it was written to %s", f.resultsPath(), rootCause(err), fallback)
	}
	msg := fmt.Sprintf("results.json could not be written to %s (%v) nor to %s (%v)", f.resultsPath(), rootCause(err), fallback, rootCause(ferr))
	if f.journal != nil && f.journal.Err() == nil {
		msg += fmt.Sprintf("; its trials are in %s", filepath.Join(f.dir, harness.JournalName))
	} else {
		msg += "; what was printed above is all that is left of it"
	}
	return "", errors.New(msg)
}

// writeFallback writes run to a new file in the system's temporary folder.
func writeFallback(run *results.Run) (string, error) {
	tmp, err := os.CreateTemp("", "poolbench-results-*.json")
	if err != nil {
		return filepath.Join(os.TempDir(), "poolbench-results-*.json"), err
	}
	err = results.Encode(tmp, run)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return tmp.Name(), err
}

// rootCause is the innermost error: "no space left on device", not the
// chain of wrappers around it.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
