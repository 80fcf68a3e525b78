package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"time"

	"github.com/poolbench/poolbench/claims"
	"github.com/poolbench/poolbench/harness"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/sharedlog"
	"github.com/spf13/cobra"
)

type claimsOptions struct {
	from  string
	out   string
	quick bool
	force bool
}

// claimsPlan is what `poolbench claims` measures: the article's shape (100
// tasks, a pool of 10), with task sizes small enough that the whole plan
// takes about a minute on two cores.
type claimsPlan struct {
	run   harness.Config
	log   sharedlog.Config
	modes []sharedlog.Mode
	// noPython is set when there is no python3 to run CPython's own serial
	// and threads, which claim 1 is about.
	noPython bool
}

// newClaimsPlan is the plan; python is the python3 found on the PATH, or ""
// when there is none.
func newClaimsPlan(quick bool, python string) claimsPlan {
	p := claimsPlan{
		run: harness.Config{
			Workloads:      []string{"cpu", "io"},
			Strategies:     []string{"serial", "goroutines", "goroutines-1cpu", "process-per-task", "pool-apply", "pool-apply-async"},
			Tasks:          100,
			Workers:        10,
			TaskSizes:      map[string]string{"cpu": "100k", "io": "30ms"},
			Repeat:         3,
			Warmup:         1,
			SampleInterval: harness.DefaultInterval,
		},
		log:   sharedlog.Config{Writers: sharedlog.DefaultWriters, Records: sharedlog.DefaultRecords},
		modes: []sharedlog.Mode{sharedlog.UnlockedWhole, sharedlog.UnlockedSplit, sharedlog.PyUnlocked, sharedlog.Locked, sharedlog.Callback},
	}
	if python != "" {
		p.run.Strategies = append(p.run.Strategies, "py-serial", "py-threads")
		p.run.Python = python
	} else {
		p.noPython = true
	}
	if quick {
		p.run.Tasks, p.run.Repeat, p.run.Warmup = 40, 2, 0
		p.run.TaskSizes = map[string]string{"cpu": "20k", "io": "10ms"}
		p.log.Records = 200
	}
	return p
}

// steps is the number of progress steps: every trial, every log mode and
// the API check.
func (p claimsPlan) steps() int {
	return len(p.run.Workloads)*len(p.run.Strategies)*(p.run.Warmup+p.run.Repeat) + len(p.modes) + 1
}

func newClaimsCmd() *cobra.Command {
	o := claimsOptions{}
	cmd := &cobra.Command{
		Use:   "claims",
		Short: "Test the tutorial's claims on this machine and say which hold",
		Long: `claims checks each statement of the multiprocessing tutorial poolbench follows
against figures measured here: threads (goroutines, and goroutines under
GOMAXPROCS=1, the GIL analogue) on CPU- and I/O-bound work, a process per
task against a pool, a pool of 10 against serial, apply against apply_async,
where callbacks run, what unlocked appends do to a shared log, and how the
pool's API behaves (join before close, workers without join, callbacks on
empty results and on failures).

Without --from it measures: cpu and io with serial, goroutines,
goroutines-1cpu, process-per-task, pool-apply, pool-apply-async, and, when
python3 is on the PATH, CPython's own py-serial and py-threads (100
tasks, a pool of 10, 3 trials after 1 warm-up; --quick: 40 tasks, 2 trials,
smaller tasks), the shared-log modes unlocked-whole, unlocked-split,
py-unlocked (when python3 is there), locked and callback, and the
API checks; it saves results.json, charts and report.html into --out. With
--from it judges a saved run instead, and runs only the API checks, which
take a moment; it writes files only if --out is given.

Every verdict is computed from the figures with the thresholds its
"measured" line states.`,
		Example: `  poolbench claims
  poolbench claims --quick --out /tmp/claims
  poolbench claims --from poolbench-results/run-20250101-120000/results.json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "judge this saved results.json instead of measuring")
	f.StringVar(&o.out, "out", "", "folder for results.json, charts and report.html (default: a new folder under "+defaultOutRoot+"/; with --from, none)")
	f.BoolVar(&o.force, "force", false, "replace an earlier run in --out (its results, journal, charts and report are removed first)")
	f.BoolVar(&o.quick, "quick", false, "measure fewer, smaller tasks: a rougher answer in a fraction of the time")
	return cmd
}

func (o *claimsOptions) run(cmd *cobra.Command) error {
	fromGiven := cmd.Flags().Changed("from")
	switch {
	case fromGiven && o.from == "":
		return usagef("--from: give the path of a results.json")
	case fromGiven && o.quick:
		return usagef("--quick sets how much to measure; --from measures nothing: give one or the other")
	}
	if fromGiven {
		return o.judgeSaved(cmd)
	}
	python, _ := exec.LookPath("python3")
	plan := newClaimsPlan(o.quick, python)
	if err := validate(cmd, plan.run); err != nil {
		return err
	}
	folder, err := claimFolder(o.out, "claims", o.force)
	if err != nil {
		return err
	}
	defer folder.release()
	if plan.run.Journal, err = folder.startJournal(); err != nil {
		return err
	}
	// The log modes and API checks come after the trials: the journal
	// ends when they do.
	plan.run.Journal.Hold()
	in := watchFolderInterrupts(cmd, folder)
	defer in.stop()
	bar := newProgressBar(cmd.ErrOrStderr())
	run, runErr := plan.measure(in.ctx, folder.dir, bar.update)
	bar.finish()
	if run == nil {
		folder.discardJournal()
		return in.err(runErr)
	}
	return folder.save(cmd.OutOrStdout(), cmd.ErrOrStderr(), run, in.err(runErr), printClaims)
}

// judgeSaved evaluates a saved run, adds the API checks, prints the claims
// and, with --out, saves the run with them.
func (o *claimsOptions) judgeSaved(cmd *cobra.Command) error {
	run, err := readRun(o.from)
	if err != nil {
		return err
	}
	var folder *runFolder
	if o.out != "" {
		if folder, err = claimFolder(o.out, "claims", o.force); err != nil {
			return err
		}
		defer folder.release()
	}
	in := watchInterrupts(cmd.Context())
	defer in.stop()
	api, err := claims.CheckAPI(in.ctx)
	if err != nil {
		return in.err(err)
	}
	run.Claims = mergeClaims(claims.Evaluate(run), api)
	if folder == nil {
		return printClaims(cmd.OutOrStdout(), run)
	}
	return folder.save(cmd.OutOrStdout(), cmd.ErrOrStderr(), run, nil, printClaims)
}

// measure runs the trials, then the log modes, then the API checks, and
// judges the claims. If ctx ends or a step fails, it returns what was
// measured so far, marked partial and without claims, with the error.
func (p claimsPlan) measure(ctx context.Context, dir string, progress func(harness.Progress)) (*results.Run, error) {
	steps := p.steps()
	p.run.Command = "claims"
	run, err := harness.Run(ctx, p.run, func(pr harness.Progress) {
		pr.Trials = steps
		progress(pr)
	})
	if err != nil {
		if run != nil {
			p.run.Journal.Release(run)
		}
		return run, err
	}
	if p.noPython {
		run.Notes = append(run.Notes, "py-serial and py-threads skipped: no python3 on the PATH, so claim 1 is not judged on CPython's own threads")
	}
	// The journal's end is written on each way out but a panic's, so that
	// a run that crashed rebuilds as the partial run it is.
	fail := func(err error) (*results.Run, error) {
		run.Partial = true
		run.FinishedAt = time.Now().UTC()
		p.run.Journal.Release(run)
		return run, err
	}

	logs, err := os.MkdirTemp(dir, ".logs-")
	if err != nil {
		return fail(fmt.Errorf("claims: log folder: %w", err))
	}
	defer os.RemoveAll(logs)
	lcfg := p.log
	lcfg.Dir = logs
	step := steps - len(p.modes) - 1
	for _, mode := range p.modes {
		step++
		progress(harness.Progress{Trial: step, Trials: steps, Strategy: string(mode), Workload: "log", Workers: lcfg.Writers})
		lm, err := sharedlog.Run(ctx, mode, lcfg)
		if errors.Is(err, sharedlog.ErrNoPython) {
			run.Notes = append(run.Notes, fmt.Sprintf("shared log: mode %s skipped: no python3 on the PATH", mode))
			continue
		}
		if err != nil {
			return fail(fmt.Errorf("claims: log mode %s: %w", mode, err))
		}
		run.Logging = append(run.Logging, lm)
		p.run.Journal.LogMode(lm)
	}
	run.Notes = append(run.Notes, fmt.Sprintf("shared log: %d writers append %d records each, with payloads of %s bytes, to one file per mode, which is then checked record by record",
		lcfg.Writers, lcfg.Records, sizeText(sharedlog.DefaultSizes)))

	progress(harness.Progress{Trial: steps, Trials: steps, Strategy: "api", Workload: "pool"})
	api, err := claims.CheckAPI(ctx)
	if err != nil {
		return fail(err)
	}
	run.Claims = mergeClaims(claims.Evaluate(run), api)
	run.FinishedAt = time.Now().UTC()
	p.run.Journal.Release(run)
	return run, nil
}

// mergeClaims lists the run's claims and the API checks in the article's
// order.
func mergeClaims(fromRun, api []results.Claim) []results.Claim {
	all := append(append([]results.Claim(nil), fromRun...), api...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all
}
