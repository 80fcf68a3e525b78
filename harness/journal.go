package harness

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/strategies"
)

// JournalName is the file a run journals its trials to, in its folder.
const JournalName = "journal.jsonl"

// ErrNotJournal is returned by Rebuild for input that is not a journal.
var ErrNotJournal = errors.New("not a poolbench journal")

// Journal appends a run's trials to a file as they finish, one JSON line
// each, synced to the disk before the next trial starts: when the run is
// killed, its machine loses power or its disk fills before results.json is
// written, every finished trial is still on disk, and Rebuild makes a
// results.json of them.
//
// A failed write does not stop the run (its figures are still in memory);
// Err reports the first.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	err  error
	held bool // End is the holder's (Hold)
}

// NewJournal journals to f, which it owns from now on.
func NewJournal(f *os.File) *Journal { return &Journal{f: f} }

// journalLine is one line: the run's header first, then one per measured
// trial (or log mode), then the end, if the run got that far.
type journalLine struct {
	Header  *results.Run     `json:"header,omitempty"`
	Trial   *journalTrial    `json:"trial,omitempty"`
	LogMode *results.LogMode `json:"log_mode,omitempty"`
	End     *journalEnd      `json:"end,omitempty"`
}

// journalTrial is what aggregate needs of a trial.
type journalTrial struct {
	Spec     TrialSpec           `json:"spec"`
	Trial    results.Trial       `json:"measured"`
	Outcome  *strategies.Outcome `json:"outcome,omitempty"`
	PID      int                 `json:"pid,omitempty"`
	Interval time.Duration       `json:"interval,omitempty"`
}

type journalEnd struct {
	FinishedAt time.Time `json:"finished_at"`
	Partial    bool      `json:"partial,omitempty"`
	Notes      []string  `json:"notes,omitempty"`
}

// Begin records the run's header: host, configuration, notes.
func (j *Journal) Begin(run *results.Run) {
	h := *run
	h.Results, h.Logging, h.Claims = nil, nil, nil
	j.write(journalLine{Header: &h})
}

// LogMode records one finished mode of the shared-log experiment.
func (j *Journal) LogMode(m results.LogMode) { j.write(journalLine{LogMode: &m}) }

// End records that the run finished, partial or not; on a held journal it
// records nothing (Hold).
func (j *Journal) End(run *results.Run) {
	if j == nil {
		return
	}
	j.mu.Lock()
	held := j.held
	j.mu.Unlock()
	if !held {
		j.end(run)
	}
}

// Hold keeps the journal's end for its holder: claims measures log modes
// and checks the pool's API after its trials, and a run that dies during
// those must rebuild as the partial run it is, not as the finished one
// the trials' End would record. Release records the end.
func (j *Journal) Hold() {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.held = true
	j.mu.Unlock()
}

// Release records the end of a held journal's run.
func (j *Journal) Release(run *results.Run) {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.held = false
	j.mu.Unlock()
	j.end(run)
}

func (j *Journal) end(run *results.Run) {
	j.write(journalLine{End: &journalEnd{FinishedAt: run.FinishedAt, Partial: run.Partial, Notes: run.Notes}})
}

func (j *Journal) trial(tr *trialResult) {
	j.write(journalLine{Trial: &journalTrial{Spec: tr.spec, Trial: tr.trial, Outcome: tr.rec.Outcome, PID: tr.rec.PID, Interval: tr.interval}})
}

func (j *Journal) write(l journalLine) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	data, err := json.Marshal(l)
	if err == nil {
		_, err = j.f.Write(append(data, '\n'))
	}
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		j.err = fmt.Errorf("harness: journal %s: %w", j.f.Name(), err)
	}
}

// Err is the first write error, if any.
func (j *Journal) Err() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Close closes the journal's file.
func (j *Journal) Close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}

// Rebuild makes the run a journal holds: its trials aggregated as Run
// aggregates them, its derived figures computed. A journal without an end
// line is of a run that died: the run is marked partial and says so. A last
// line cut short by the crash is ignored.
func Rebuild(r io.Reader) (*results.Run, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var run *results.Run
	var specs []TrialSpec
	measured := map[TrialSpec][]*trialResult{}
	var end *journalEnd
	var broken error
	// Every trial is a process of its own, with its own pid and times: a
	// trial line twice is a journal copied into itself, which would count
	// that trial twice.
	trialLines := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		if broken != nil {
			// Only the last line may be torn: one in the middle is damage.
			return nil, broken
		}
		var l journalLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			broken = fmt.Errorf("harness: journal line %d: %w: %v", n, ErrNotJournal, err)
			continue
		}
		switch {
		case n == 1 && l.Header == nil, n > 1 && l.Header != nil:
			return nil, fmt.Errorf("harness: journal line %d: %w: the header must come first, once", n, ErrNotJournal)
		case l.Header != nil:
			run = l.Header
		case l.Trial != nil:
			if first, ok := trialLines[sc.Text()]; ok {
				return nil, fmt.Errorf("harness: journal line %d: %w: it repeats line %d, a trial measured once", n, ErrNotJournal, first)
			}
			trialLines[sc.Text()] = n
			t := l.Trial
			if t.Outcome == nil {
				t.Outcome = &strategies.Outcome{}
			}
			if _, ok := measured[t.Spec]; !ok {
				specs = append(specs, t.Spec)
			}
			measured[t.Spec] = append(measured[t.Spec], &trialResult{spec: t.Spec, trial: t.Trial,
				rec: record{Outcome: t.Outcome, PID: t.PID}, interval: t.Interval})
		case l.LogMode != nil:
			run.Logging = append(run.Logging, *l.LogMode)
		case l.End != nil:
			end = l.End
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("harness: journal: %w", err)
	}
	if run == nil {
		return nil, fmt.Errorf("harness: journal: %w: it is empty", ErrNotJournal)
	}
	if run.SchemaVersion != results.SchemaVersion {
		return nil, fmt.Errorf("harness: journal: schema_version %d, this poolbench reads %d", run.SchemaVersion, results.SchemaVersion)
	}
	interval, _ := time.ParseDuration(run.Config.SampleInterval)
	p := &plan{Config: Config{SampleInterval: interval}, cpus: run.Host.GOMAXPROCS}
	if p.cpus < 1 {
		p.cpus = runtimeCPUs() // a journal without it: the best guess left
	}
	p.assemble(run, specs, measured)
	if end != nil {
		run.FinishedAt, run.Partial, run.Notes = end.FinishedAt, end.Partial, end.Notes
	} else {
		run.Partial = true
		run.FinishedAt = run.StartedAt
		run.Notes = append(run.Notes, "partial run: rebuilt from its journal; the run stopped before it finished")
	}
	return run, nil
}
