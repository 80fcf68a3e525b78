package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/poolbench/poolbench/pyref"
)

// runArticleExampleInCPython runs the article's pool example in CPython, as
// the article wrote it, when a python3 is found, and sets its wall time
// beside Go's pool's.
func runArticleExampleInCPython(ctx context.Context, w io.Writer, python string, goTook time.Duration) error {
	in, err := pyref.Find(ctx, python)
	if err != nil && ctx.Err() != nil {
		return ctx.Err() // interrupted, not a missing python3
	}
	if err != nil {
		fmt.Fprintf(w, "The same example in CPython was not run: %v.\n\n", err)
		return nil
	}
	fmt.Fprintf(w, "The same example in CPython %s (%s), with multiprocessing.Pool:\n\n", in.Version, in.Path)
	var rec pids
	rep, err := pyref.Run(ctx, in.Path, pyref.Job{
		Strategy: pyref.Article, Workload: "io", Size: uint64(articleSleep), Tasks: articleTasks, Workers: articleWorkers,
		Stall: time.Minute, Stdout: w, Stderr: os.Stderr,
	}, &rec)
	if err != nil {
		return err
	}
	took := rep.End.Sub(rep.Begin)
	fmt.Fprintf(w, "\n%d results in %.3f s, pool start-up included (Go's pool: %.3f s, so CPython took %.2fx as long).\n",
		rec.tasks, took.Seconds(), goTook.Seconds(), took.Seconds()/goTook.Seconds())
	fmt.Fprintf(w, "Callbacks ran in pid(s) %v, the interpreter (%d); the tasks ran in %d worker processes.\n\n",
		rec.callbacks, rep.PID, len(rec.workers))
	return nil
}

// pids counts what the example's interpreter reports.
type pids struct {
	tasks              int
	callbacks, workers []int
}

func (p *pids) Task(int, []byte, error, time.Duration) { p.tasks++ }
func (p *pids) Spawn(int, time.Duration)               {}
func (p *pids) CallbackPID(pid int)                    { p.callbacks = addPID(p.callbacks, pid) }
func (p *pids) WorkerPID(pid int)                      { p.workers = addPID(p.workers, pid) }

func addPID(s []int, pid int) []int {
	if slices.Contains(s, pid) {
		return s
	}
	return append(s, pid)
}
