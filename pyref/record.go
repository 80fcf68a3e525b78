package pyref

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// record is one line of the script's stream (see pyref.py for the kinds).
type record struct {
	Kind        string `json:"k"`
	PID         int    `json:"pid"`
	StartMethod string `json:"start_method"`
	Version     string `json:"version"`
	// Clock is the script's reading of the machine's monotonic clock when
	// it wrote a begin or end record (onOwnClock).
	Clock   *float64 `json:"c"`
	Spawn   float64  `json:"s"`
	Index   *int     `json:"i"`
	ErrKind string   `json:"e"`
	Message string   `json:"m"`
	Latency *float64 `json:"l"`
	Done    *float64 `json:"d"`
	// A batch of tasks done ("tb"), as parallel lists.
	Indexes   []int     `json:"is"`
	Latencies []float64 `json:"ls"`
	Workers   []int     `json:"ws"`
	Dones     []float64 `json:"ds"`
	Lengths   []int     `json:"ns"`
}

// maxValue bounds one task's value in a batch, above any workload's
// (payload's are at most 32 MiB), so that a corrupt length cannot make the
// reader allocate without limit.
const maxValue = 64 << 20

// task is a decoded task: a failed one from a "t" record, or one of a
// batch, whose value follows the batch's line.
type task struct {
	index   int
	err     error
	latency time.Duration
	done    time.Duration // since the begin record, as the script clocked it
	worker  int           // the pool worker that ran it, 0 if none said
	length  int           // of its value, read after the batch's line
	value   []byte
}

// decodeRecord reads one line and checks it against a run of tasks tasks:
// a failed task's record comes with its task, a batch's with one task for
// each of its entries, their values still to read.
func decodeRecord(line []byte, tasks int) (record, []task, error) {
	var r record
	if err := json.Unmarshal(line, &r); err != nil {
		return r, nil, fmt.Errorf("pyref: bad record %.80q: %w", line, err)
	}
	switch r.Kind {
	case "begin", "end", "fail":
		return r, nil, nil
	case "cb":
		if r.PID <= 0 {
			return r, nil, fmt.Errorf("pyref: callback record without a pid: %.80q", line)
		}
		return r, nil, nil
	case "spawn":
		if r.PID <= 0 || !finite(r.Spawn) || r.Spawn < 0 {
			return r, nil, fmt.Errorf("pyref: bad spawn record %.80q", line)
		}
		return r, nil, nil
	case "t":
		t, err := decodeFailed(r, tasks)
		if err != nil {
			return r, nil, fmt.Errorf("%w: %.80q", err, line)
		}
		return r, []task{t}, nil
	case "tb":
		ts, err := decodeBatch(r, tasks)
		if err != nil {
			return r, nil, fmt.Errorf("%w: %.80q", err, line)
		}
		return r, ts, nil
	}
	return r, nil, fmt.Errorf("pyref: unknown record kind %q", r.Kind)
}

func decodeFailed(r record, tasks int) (task, error) {
	if r.Index == nil || *r.Index < 0 || *r.Index >= tasks || r.Latency == nil || !finite(*r.Latency) || *r.Latency < 0 {
		return task{}, fmt.Errorf("pyref: bad task record")
	}
	if r.ErrKind == "" {
		return task{}, fmt.Errorf("pyref: task record without an error kind")
	}
	t := task{index: *r.Index, latency: seconds(*r.Latency), done: -1,
		err: &TaskError{Kind: r.ErrKind, Message: r.Message}}
	if r.Done != nil {
		if !finite(*r.Done) || *r.Done < 0 {
			return task{}, fmt.Errorf("pyref: task record with a bad finishing time")
		}
		t.done = seconds(*r.Done)
	}
	return t, nil
}

func decodeBatch(r record, tasks int) ([]task, error) {
	n := len(r.Indexes)
	if n == 0 || len(r.Latencies) != n || len(r.Workers) != n || len(r.Dones) != n || len(r.Lengths) != n {
		return nil, fmt.Errorf("pyref: batch of %d tasks with %d latencies, %d workers, %d times, %d lengths",
			n, len(r.Latencies), len(r.Workers), len(r.Dones), len(r.Lengths))
	}
	ts := make([]task, n)
	for k, i := range r.Indexes {
		l, d, w, size := r.Latencies[k], r.Dones[k], r.Workers[k], r.Lengths[k]
		switch {
		case i < 0 || i >= tasks:
			return nil, fmt.Errorf("pyref: batch with task %d of %d", i, tasks)
		case !finite(l) || l < 0 || !finite(d) || d < 0:
			return nil, fmt.Errorf("pyref: task %d: bad latency %g or finishing time %g", i, l, d)
		case w < 0:
			return nil, fmt.Errorf("pyref: task %d: negative worker pid", i)
		case size < 0 || size > maxValue:
			return nil, fmt.Errorf("pyref: task %d: value of %d bytes", i, size)
		}
		ts[k] = task{index: i, latency: seconds(l), done: seconds(d), worker: w, length: size}
	}
	return ts, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) && f < 1e9 }
