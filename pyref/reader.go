package pyref

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

// reader turns the record stream into calls on the sink.
type reader struct {
	tasks   int
	sink    Sink
	done    []bool
	count   int
	begin   record
	beganAt time.Time
	endedAt time.Time
	ended   bool
	failure string
}

// maxLine bounds one record's line: a batch of the script's 4096 tasks is
// well under it.
const maxLine = 4 << 20

// read consumes records until the stream ends (every writer has exited),
// calling progress after each.
func (rd *reader) read(r io.Reader, progress func()) error {
	br := bufio.NewReaderSize(r, 64<<10)
	timed, _ := rd.sink.(TimedSink)
	for {
		line, err := readLine(br)
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("pyref: read records: %w", err)
		}
		progress()
		rec, ts, err := decodeRecord(line, rd.tasks)
		if err != nil {
			return err
		}
		switch rec.Kind {
		case "begin":
			rd.begin, rd.beganAt = rec, onOwnClock(rec.Clock)
			if timed != nil {
				timed.Began(rd.beganAt)
			}
		case "end":
			rd.ended, rd.endedAt = true, onOwnClock(rec.Clock)
		case "fail":
			rd.failure = rec.Message
		case "cb":
			rd.sink.CallbackPID(rec.PID)
		case "spawn":
			rd.sink.Spawn(rec.PID, seconds(rec.Spawn))
		case "t", "tb":
			for k := range ts {
				if err := rd.task(br, &ts[k], timed); err != nil {
					return err
				}
			}
		}
	}
}

// task reads t's value, if it has one, from the stream and hands t to the
// sink.
func (rd *reader) task(br *bufio.Reader, t *task, timed TimedSink) error {
	if t.err == nil {
		t.value = make([]byte, t.length)
		if _, err := io.ReadFull(br, t.value); err != nil {
			return fmt.Errorf("pyref: task %d: read its %d-byte value: %w", t.index, t.length, err)
		}
	}
	if rd.done[t.index] {
		return fmt.Errorf("pyref: task %d reported twice", t.index)
	}
	rd.done[t.index] = true
	rd.count++
	if t.worker > 0 {
		rd.sink.WorkerPID(t.worker)
	}
	if timed == nil {
		rd.sink.Task(t.index, t.value, t.err, t.latency)
		return nil
	}
	// When the script clocked it, on this process's clock: never before
	// the run began nor after its record arrived.
	done := time.Now()
	if at := rd.beganAt.Add(t.done); t.done >= 0 && !rd.beganAt.IsZero() && at.Before(done) {
		done = at
	}
	timed.TaskAt(t.index, t.value, t.err, t.latency, done)
	return nil
}

// readLine reads one line, without its newline, of at most maxLine bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		switch {
		case err == bufio.ErrBufferFull && len(line) <= maxLine:
			continue
		case err == bufio.ErrBufferFull:
			return nil, fmt.Errorf("a record longer than %d bytes", maxLine)
		case err != nil:
			return line, err
		}
		return line[:len(line)-1], nil
	}
}
