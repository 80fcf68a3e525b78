package strategies

import (
	"errors"
	"fmt"
	"time"

	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/workloads"
)

// ErrTaskTimeout fails an in-process task that ran past the plan's task
// timeout. A goroutine cannot be killed: it is abandoned, still running,
// which is what a Go program without cooperative cancellation gets.
var ErrTaskTimeout = errors.New("task ran past its timeout and was abandoned")

// PanicError is a task that panicked in-process: for a goroutine, the
// equivalent of a worker process crashing.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprintf("task panicked: %v", e.Value) }

// task is task i as a pool submits it: the faulty twin of the workload when
// faults are injected, so the worker process can fail for real.
func (p Plan) task(i int) procpool.Task {
	if !p.Faults.Any() {
		return procpool.Task{Func: p.Workload.Name, Args: p.Args(i)}
	}
	return procpool.Task{
		Func: workloads.FaultyName(p.Workload.Name),
		Args: workloads.FaultyArgs(p.Faults.For(i), p.Args(i)),
	}
}

// reuseArgs hands a task's arguments back to the workload once its result
// is recorded (the recorder keeps a digest) and nothing reads them any
// more: a later task's are built in that memory. Every strategy does so
// where its tasks end one by one, so that none builds its arguments in
// memory cheaper than the others' (fresh memory costs a page fault a
// page). A faulty task's are a copy, left alone.
func (p Plan) reuseArgs(args []byte) {
	if !p.Faults.Any() {
		p.Workload.Reuse(args)
	}
}

// recordLocal runs task i in this process, records it, and hands its
// arguments back, unless the task still runs past its timeout.
func (p Plan) recordLocal(i int, rec *Recorder, start time.Time) {
	args := p.Args(i)
	v, err := p.runLocal(i, args)
	// Every task was submitted at the start, so its latency includes the
	// wait behind the ones before it, as in every other strategy.
	rec.Task(i, v, err, time.Since(start))
	if !errors.Is(err, ErrTaskTimeout) {
		p.reuseArgs(args)
	}
}

// runLocal runs task i, whose arguments are args, in this process, turning
// a panic into a PanicError and a task that outlives the timeout into
// ErrTaskTimeout.
func (p Plan) runLocal(i int, args []byte) ([]byte, error) {
	run := p.Workload.Run
	if p.Faults.Any() {
		fn, err := workloads.LookupFunc(workloads.FaultyName(p.Workload.Name))
		if err != nil {
			return nil, err
		}
		run, args = fn, workloads.FaultyArgs(p.Faults.For(i), args)
	}
	if p.TaskTimeout <= 0 {
		return callSafely(run, args)
	}
	type outcome struct {
		v   []byte
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		v, err := callSafely(run, args)
		done <- outcome{v, err}
	}()
	t := time.NewTimer(p.TaskTimeout)
	defer t.Stop()
	select {
	case o := <-done:
		return o.v, o.err
	case <-t.C:
		return nil, ErrTaskTimeout
	}
}

func callSafely(run workloads.Func, args []byte) (v []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &PanicError{Value: r}
		}
	}()
	return run(args)
}

// poolOptions are the plan's pool options plus its task timeout. Every
// task's arguments are made for it alone and never changed after: the pool
// may send them without a copy of its own (LendArgs).
func (p Plan) poolOptions() []procpool.Option {
	opts := append([]procpool.Option{procpool.LendArgs()}, p.PoolOptions...)
	if p.TaskTimeout > 0 {
		opts = append(opts, procpool.TaskTimeout(p.TaskTimeout))
	}
	return opts
}
