package pyref

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// record is one line of the script's stream (see pyref.py for the kinds).
type record struct {
	Kind        string   `json:"k"`
	PID         int      `json:"pid"`
	StartMethod string   `json:"start_method"`
	Version     string   `json:"version"`
	Spawn       float64  `json:"s"`
	Index       *int     `json:"i"`
	Value       *string  `json:"v"`
	ErrKind     string   `json:"e"`
	Message     string   `json:"m"`
	Latency     *float64 `json:"l"`
	Worker      int      `json:"w"`
}

// task is a decoded task record.
type task struct {
	index   int
	value   []byte
	err     error
	latency time.Duration
	worker  int // the pool worker that ran it, 0 if none said
}

// decodeRecord reads one line and checks it against a run of tasks tasks.
func decodeRecord(line []byte, tasks int) (record, *task, error) {
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
	default:
		return r, nil, fmt.Errorf("pyref: unknown record kind %q", r.Kind)
	}
	if r.Index == nil || *r.Index < 0 || *r.Index >= tasks || r.Latency == nil || !finite(*r.Latency) || *r.Latency < 0 {
		return r, nil, fmt.Errorf("pyref: bad task record %.80q", line)
	}
	if r.Worker < 0 {
		return r, nil, fmt.Errorf("pyref: task record with a negative worker pid: %.80q", line)
	}
	t := &task{index: *r.Index, latency: time.Duration(*r.Latency * float64(time.Second)), worker: r.Worker}
	switch {
	case r.Value != nil && r.ErrKind == "":
		v, err := hex.DecodeString(*r.Value)
		if err != nil {
			return r, nil, fmt.Errorf("pyref: task %d: bad value: %w", t.index, err)
		}
		t.value = v
	case r.Value == nil && r.ErrKind != "":
		t.err = &TaskError{Kind: r.ErrKind, Message: r.Message}
	default:
		return r, nil, fmt.Errorf("pyref: task record with neither or both of a value and an error: %.80q", line)
	}
	return r, t, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) && f < 1e9 }
