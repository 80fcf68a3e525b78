package sharedlog

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/workloads"
)

// RecordFunc is the registered function the callback mode's pool workers
// run: its arguments (see RecordArgs) name a record, and it returns the
// record, encoded.
const RecordFunc = "sharedlog.record"

// maxRecordSize bounds a payload a worker will encode, so that a bad task
// cannot ask a worker for a frame the pool refuses.
const maxRecordSize = procpool.DefaultMaxFrame / 2

// callbackWindow bounds the tasks submitted and not yet written, so that a
// large run holds a window of task handles rather than all of them.
const callbackWindow = 4096

func init() {
	if err := workloads.RegisterFunc(RecordFunc, recordTask); err != nil {
		panic(err) // a second registration is a programming error
	}
}

// RecordArgs encodes the arguments of a RecordFunc task: record (writer,
// seq) with its size drawn from sizes.
func RecordArgs(writer, seq int, sizes Sizes) []byte {
	b := make([]byte, 0, 4*binary.MaxVarintLen64)
	for _, v := range []int{writer, seq, sizes.Min, sizes.Max} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

// recordTask is RecordFunc: it decodes RecordArgs and returns the record.
func recordTask(args []byte) ([]byte, error) {
	var v [4]int
	for i := range v {
		u, n := binary.Uvarint(args)
		if n <= 0 || u > 1<<40 {
			return nil, fmt.Errorf("%s: bad arguments %x", RecordFunc, args)
		}
		v[i], args = int(u), args[n:]
	}
	if len(args) != 0 {
		return nil, fmt.Errorf("%s: %d stray bytes after the arguments", RecordFunc, len(args))
	}
	writer, seq, sizes := v[0], v[1], Sizes{Min: v[2], Max: v[3]}
	if sizes.Min > sizes.Max || sizes.Max > maxRecordSize {
		return nil, fmt.Errorf("%s: sizes %d..%d: need min <= max <= %d", RecordFunc, sizes.Min, sizes.Max, maxRecordSize)
	}
	return Record(writer, seq, sizes), nil
}

// RunCallback runs the callback mode, the article's way out of the lock: a
// procpool.Pool of cfg.Writers worker processes makes the records (each task
// returns one record, Record) and the pool's success callback, in this
// process, appends each to the log file through a SingleWriter. Callbacks
// run one at a time on one goroutine, so the file has one writer and needs
// no lock. The writers x records tasks are submitted with ApplyAsync, seq by
// seq across the writers, then the pool is closed and joined and the file is
// checked.
//
// The program must serve pool workers: call procpool.ServeRole first
// thing in main, or in TestMain for a test binary.
//
// Wall time runs from the moment every worker is ready until the last
// record is written and the workers have exited, as the process modes count
// from the start barrier to the last writer's exit. When ctx ends, the pool
// is terminated and its workers reaped before RunCallback returns.
func RunCallback(ctx context.Context, cfg Config) (results.LogMode, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return results.LogMode{}, err
	}
	if cfg.Sizes.Max > maxRecordSize {
		return results.LogMode{}, fmt.Errorf("sharedlog: config: sizes up to %d: the callback mode's records are at most %d bytes", cfg.Sizes.Max, maxRecordSize)
	}
	dir, cleanup, err := cfg.prepare()
	if err != nil {
		return results.LogMode{}, err
	}
	defer cleanup()
	logPath, _ := paths(dir, Callback)
	if err := truncate(logPath); err != nil {
		return results.LogMode{}, err
	}
	sw, err := NewSingleWriter(logPath)
	if err != nil {
		return results.LogMode{}, err
	}
	// A race-enabled build sleeps a second at exit by default, which would
	// be counted as writing time.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	pool, err := procpool.New(cfg.Writers, procpool.Env("GORACE="+gorace))
	if err != nil {
		sw.Close()
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", Callback, err)
	}

	start := time.Now()
	werr := writeCallbacks(ctx, pool, sw, cfg)
	wall := time.Since(start)
	if cerr := sw.Close(); werr == nil {
		werr = cerr
	}
	if err := ctx.Err(); err != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", Callback, err)
	}
	if werr != nil {
		return results.LogMode{}, fmt.Errorf("sharedlog: run %s: %w", Callback, werr)
	}
	return measure(Callback, cfg, logPath, wall)
}

// writeCallbacks submits every record's task to pool, writes each result
// through sw in the success callback, and closes and joins the pool. It
// returns the first failure: a task's error, a write's, or ctx's. On every
// path the pool is joined, so no worker outlives it.
func writeCallbacks(ctx context.Context, pool *procpool.Pool, sw *SingleWriter, cfg Config) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Terminate runs on its own goroutine, never inside a callback, which
	// must not wait for the goroutine it runs on.
	terminated := make(chan struct{})
	stop := context.AfterFunc(runCtx, func() {
		pool.Terminate()
		close(terminated)
	})
	defer func() {
		if !stop() { // Terminate was started: let it finish
			<-terminated
		}
	}()

	// fail is set only by callbacks, which run one at a time on one
	// goroutine; Join waits for that goroutine, after which it is read here.
	var fail error
	slots := make(chan struct{}, callbackWindow)
	onSuccess := func(r procpool.Result) {
		defer func() { <-slots }()
		if fail != nil {
			return
		}
		if err := sw.Write(r.Value); err != nil {
			fail = err
			cancel()
		}
	}
	onError := func(r procpool.Result) {
		defer func() { <-slots }()
		if fail == nil && !errors.Is(r.Err, procpool.ErrTerminated) {
			fail = r.Err
			cancel()
		}
	}

	var submitErr error
submit:
	for seq := range cfg.Records {
		for w := range cfg.Writers {
			select {
			case slots <- struct{}{}:
			case <-runCtx.Done():
				break submit
			}
			task := procpool.Task{Func: RecordFunc, Args: RecordArgs(w, seq, cfg.Sizes)}
			if _, err := pool.ApplyAsync(task, onSuccess, onError); err != nil {
				<-slots
				if runCtx.Err() == nil { // not merely the pool terminated under us
					submitErr = fmt.Errorf("submit record (%d, %d): %w", w, seq, err)
				}
				cancel()
				break submit
			}
		}
	}
	pool.Close()
	if err := pool.Join(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if submitErr != nil {
		return submitErr
	}
	if fail != nil {
		return fail
	}
	if s := pool.Stats(); s.CallbackErr != nil {
		return s.CallbackErr
	}
	return nil
}
