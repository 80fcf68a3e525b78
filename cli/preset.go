package cli

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/pyref"
	"github.com/poolbench/poolbench/workloads"
	"github.com/spf13/cobra"
)

// The article's pool example: Pool(10); 100 x apply_async(func, (i,),
// callback=log), where func sleeps 5 s and returns i + 100 and log prints
// the pid, the parent pid and the value; then close() and join(). The preset
// keeps its proportions and scales the sleep down a hundredfold.
const (
	articleTasks   = 100
	articleWorkers = 10
	articleSleep   = 50 * time.Millisecond
)

// applyPreset fills the flags the user did not set with the preset's.
func applyPreset(cmd *cobra.Command, o *runOptions) error {
	switch o.preset {
	case "":
		return nil
	case "article":
	default:
		return usagef("--preset %q: unknown preset (have article)", o.preset)
	}
	set := func(name string, apply func()) {
		if !cmd.Flags().Changed(name) {
			apply()
		}
	}
	set("workload", func() { o.workload = "io" })
	set("tasks", func() { o.tasks = articleTasks })
	set("workers", func() { o.workers = articleWorkers })
	if o.workload == "io" {
		set("task-size", func() { o.taskSize = articleSleep.String() })
	}
	if cmd.Flags().Changed("strategies") {
		return nil
	}
	o.strategies = []string{"serial", "goroutines", "process-per-task", "pool-apply", "pool-apply-async"}
	// CPython's own pool beside Go's, where there is a python3 to run it,
	// or where one was asked for: then a python3 that will not do is
	// refused for what it is. The probe takes a moment: a Ctrl-C
	// meanwhile stops it and exits 130.
	var found error
	if err := interruptibly(cmd, func(ctx context.Context) error {
		_, found = pyref.Find(ctx, o.py.python)
		return nil
	}); err != nil {
		return err
	}
	if asked := cmd.Flags().Changed("python") || cmd.Flags().Changed("py-start-method"); found == nil || asked {
		o.strategies = append(o.strategies, "py-pool-apply-async")
	}
	return nil
}

// runArticleExample runs the article's pool example for real in this
// process and prints what its callback prints, so the output can be set
// beside the article's: every line names the same pid, the parent's.
func runArticleExample(ctx context.Context, w io.Writer) (time.Duration, error) {
	fmt.Fprintf(w, "The article's pool example, scaled: Pool(%d), %d x apply_async(func, (i,), callback=log),\nfunc sleeps %v (the article's 5 s / 100) and returns i + 100; then close() and join().\n\n",
		articleWorkers, articleTasks, articleSleep)
	opts := []procpool.Option{procpool.WorkerOutput(os.Stderr, os.Stderr)}
	// Its workers start from the pool worker alone when it is of this
	// build, as the pool strategies' do, so that the example costs what
	// their trials measure.
	workersRun, why := harness.WorkerBinary()
	if workersRun != "" {
		opts = append(opts, procpool.Command(workersRun))
	} else {
		workersRun, _ = os.Executable() // what procpool re-executes
		why = " (not " + harness.WorkerBinaryName + ": " + why + ")"
	}
	start := time.Now()
	pool, err := procpool.New(articleWorkers, opts...)
	if err != nil {
		return 0, err
	}
	stop := context.AfterFunc(ctx, pool.Terminate)
	defer stop()
	var mu sync.Mutex // only for the summary below: callbacks never overlap
	callbackPIDs, workerPIDs := map[int]bool{}, map[int]bool{}
	var failed int
	for i := range articleTasks {
		args := binary.LittleEndian.AppendUint64(nil, uint64(articleSleep))
		args = binary.LittleEndian.AppendUint64(args, uint64(i))
		_, err := pool.ApplyAsync(procpool.Task{Func: workloads.ArticleFuncName, Args: args},
			func(r procpool.Result) {
				fmt.Fprintf(w, "log: pid %d, parent pid %d, value %s (computed by worker %d)\n", os.Getpid(), os.Getppid(), r.Value, r.WorkerPID)
				mu.Lock()
				callbackPIDs[os.Getpid()] = true
				workerPIDs[r.WorkerPID] = true
				mu.Unlock()
			},
			func(r procpool.Result) {
				mu.Lock()
				failed++
				mu.Unlock()
				fmt.Fprintf(w, "error: %v\n", r.Err)
			})
		if err != nil {
			pool.Terminate()
			pool.Join()
			return 0, err
		}
	}
	pool.Close()
	pool.Join()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	took := time.Since(start)
	serial := time.Duration(articleTasks) * articleSleep
	var cbs []int
	for pid := range callbackPIDs {
		cbs = append(cbs, pid)
	}
	sort.Ints(cbs)
	fmt.Fprintf(w, "\n%d results in %.3f s, pool start-up included; one after another they would take %.1f s: %.1fx faster with a pool of %d.\n",
		articleTasks-failed, took.Seconds(), serial.Seconds(), serial.Seconds()/took.Seconds(), articleWorkers)
	fmt.Fprintf(w, "Callbacks ran in pid(s) %v, this poolbench process (%d); the tasks ran in %d worker processes, each %s%s.\n\n",
		cbs, os.Getpid(), len(workerPIDs), workersRun, why)
	return took, nil
}
