package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrNotResults is returned for JSON that is not a poolbench results file.
var (
	ErrNotResults = errors.New("not a poolbench results file")
	ErrOldSchema  = errors.New("written by an older poolbench")
)

// Encode writes run as indented JSON.
func Encode(w io.Writer, run *Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(run); err != nil {
		return fmt.Errorf("results: encode: %w", err)
	}
	return nil
}

// Decode reads one run and checks that it is a results file this build can
// read: schema_version equal to SchemaVersion, no trailing data, and every
// figure one a measurement can give (Validate).
func Decode(r io.Reader) (*Run, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("results: read: %w", err)
	}
	return Unmarshal(data)
}

// Unmarshal is Decode on a byte slice.
func Unmarshal(data []byte) (*Run, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("results: empty input: %w", ErrNotResults)
	}
	// Peek at the version first, so that a newer file says so instead of
	// failing on a field it has changed.
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("results: %w: %v", ErrNotResults, err)
	}
	switch {
	case head.SchemaVersion == nil:
		return nil, fmt.Errorf("results: no schema_version: %w", ErrNotResults)
	case *head.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("results: schema_version %d is newer than this poolbench reads (%d); upgrade poolbench",
			*head.SchemaVersion, SchemaVersion)
	case *head.SchemaVersion < 1:
		return nil, fmt.Errorf("results: schema_version %d: %w", *head.SchemaVersion, ErrNotResults)
	case *head.SchemaVersion < SchemaVersion:
		return nil, fmt.Errorf("results: schema_version %d is older than this poolbench reads (%d): %w; re-run the measurement",
			*head.SchemaVersion, SchemaVersion, ErrOldSchema)
	}
	var run Run
	dec := json.NewDecoder(bytes.NewReader(data))
	// Strict: a field this build does not know is a file it would misread.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&run); err != nil {
		return nil, fmt.Errorf("results: decode: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("results: trailing data after the run: %w", ErrNotResults)
	}
	if err := Validate(&run); err != nil {
		return nil, err
	}
	return &run, nil
}

// ReadFile decodes the results file at path.
func ReadFile(path string) (*Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	run, err := Unmarshal(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return run, nil
}

// WriteFile writes run to path atomically: to a temporary file in the same
// folder, synced, then renamed over path, so that a reader (or a crash) never
// sees a half-written file.
func WriteFile(path string, run *Run) error {
	var buf bytes.Buffer
	if err := Encode(&buf, run); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// WriteFileAtomic writes data to path through a temporary file and a rename.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := tmp.Write(data); err != nil {
		cleanup()
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	// CreateTemp makes the file readable by its owner only; a results file
	// is for sharing. A file system that cannot change modes still gets
	// the results: they are not thrown away over who may read them.
	_ = tmp.Chmod(0o644)
	if err := tmp.Sync(); err != nil {
		cleanup()
		return fmt.Errorf("results: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: rename into %s: %w", path, err)
	}
	// The rename is durable only once the folder's entry is on disk: until
	// then a crash can leave the old file, or none, where the caller has
	// been told the results are.
	syncDir(dir)
	return nil
}

// syncDir flushes a folder's entries to disk, as far as it can. The new
// file is in place by now, and readable: a folder that cannot be opened
// (write and search permission without read) or synced (some network and
// FUSE file systems) makes the rename less durable, not undone, and
// reporting the results as unwritten would send the caller to save them
// elsewhere for nothing.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
