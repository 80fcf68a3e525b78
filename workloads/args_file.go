package workloads

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/poolbench/poolbench/procpool"
)

// An args file holds a function's task arguments: one JSON value per line,
// a task each (blank lines are skipped). Every process of a run (the one
// that checks the run, then each trial) reads it once per function and
// keeps the encoded arguments, so building a task costs nothing measured.

type argsLine struct {
	number int // in the file, from 1
	js     []byte
}

type encodedArgs struct {
	args [][]byte
	err  error
}

var argsFiles struct {
	mu      sync.RWMutex
	lines   map[string][]argsLine
	encoded map[[2]string]encodedArgs // {path, function}
}

// readArgsFile returns the JSON lines of path, read once.
func readArgsFile(path string) ([]argsLine, error) {
	argsFiles.mu.Lock()
	defer argsFiles.mu.Unlock()
	if lines, ok := argsFiles.lines[path]; ok {
		return lines, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return nil, fmt.Errorf("--args-file %s: %w", path, err)
	}
	lines, err := parseArgsLines(data)
	if err != nil {
		return nil, fmt.Errorf("--args-file %s: %w", path, err)
	}
	if argsFiles.lines == nil {
		argsFiles.lines = map[string][]argsLine{}
	}
	argsFiles.lines[path] = lines
	return lines, nil
}

// parseArgsLines splits an args file into its JSON values, one a line,
// skipping blank lines.
func parseArgsLines(data []byte) ([]argsLine, error) {
	var lines []argsLine
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			var v json.RawMessage
			err := json.Unmarshal(line, &v)
			return nil, fmt.Errorf("line %d: not a JSON value: %v", i+1, err)
		}
		lines = append(lines, argsLine{number: i + 1, js: line})
	}
	if len(lines) == 0 {
		return nil, errors.New("no tasks: want one JSON value per line")
	}
	return lines, nil
}

// ArgsFileTasks is the number of tasks in the args file at path: its
// non-blank lines. It is the default task count of a run of a function
// that reads one.
func ArgsFileTasks(path string) (int, error) {
	lines, err := readArgsFile(path)
	return len(lines), err
}

// argsFor returns the task arguments of fn encoded from every line of the
// args file at path, encoded once.
func argsFor(fn, path string) ([][]byte, error) {
	key := [2]string{path, fn}
	// The common case, once per task: already encoded.
	argsFiles.mu.RLock()
	e, ok := argsFiles.encoded[key]
	argsFiles.mu.RUnlock()
	if ok {
		return e.args, e.err
	}
	lines, err := readArgsFile(path)
	if err != nil {
		return nil, err
	}
	argsFiles.mu.Lock()
	defer argsFiles.mu.Unlock()
	if e, ok := argsFiles.encoded[key]; ok {
		return e.args, e.err
	}
	e = encodedArgs{}
	for _, l := range lines {
		a, err := procpool.ArgsFromJSON(fn, l.js)
		if err != nil {
			e = encodedArgs{err: fmt.Errorf("--args-file %s: line %d: %w", path, l.number, err)}
			break
		}
		e.args = append(e.args, a)
	}
	if argsFiles.encoded == nil {
		argsFiles.encoded = map[[2]string]encodedArgs{}
	}
	argsFiles.encoded[key] = e
	return e.args, e.err
}
