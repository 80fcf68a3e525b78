package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/poolbench/poolbench/measure"
	"github.com/poolbench/poolbench/procpool"
	"github.com/poolbench/poolbench/results"
	"github.com/poolbench/poolbench/strategies"
)

// trialResult is one finished trial as the parent saw it.
type trialResult struct {
	spec  TrialSpec
	trial results.Trial
	rec   record
	// interval is the longest sampling interval used: longer than asked
	// when the tree was too large to read within the sampler's budget.
	interval time.Duration
}

// execTrial runs one trial process and measures it: its tree is sampled
// while it runs and its rusage (children included) read when it is reaped.
// If ctx ends, the trial is killed (its workers die with it) and reaped.
func (p *plan) execTrial(ctx context.Context, spec TrialSpec, progress func(done int64)) (*trialResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // no trial starts once the run is stopping
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	recR, recW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("harness: trial pipe: %w", err)
	}
	cmd := exec.Command(p.Executable)
	cmd.Env = append(os.Environ(), procpool.RoleEnv(roleTrial, string(specJSON)))
	relR, relW, err := os.Pipe()
	if err != nil {
		recR.Close()
		recW.Close()
		return nil, fmt.Errorf("harness: trial pipe: %w", err)
	}
	defer relW.Close()                      // lets the trial exit, whatever happens here
	cmd.ExtraFiles = []*os.File{recW, relR} // fds 3 and 4
	cmd.Stdout, cmd.Stderr = p.TaskOutput, p.TaskOutput
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var solo []float64
	if startsWorkers(spec.Strategy) || strategies.IsNATS(spec.Strategy) {
		if solo, err = p.soloSpawns(spec); err != nil {
			recR.Close()
			recW.Close()
			relR.Close()
			return nil, err
		}
	}
	cg := p.trialCgroup()
	start := (*exec.Cmd).Start
	if cg != nil {
		defer cg.Close()
		start = cg.Start
	}
	load := p.loadBefore()
	if err := start(cmd); err != nil {
		recR.Close()
		recW.Close()
		relR.Close()
		return nil, fmt.Errorf("harness: start trial %s/%s: %w", spec.Strategy, spec.Workload, err)
	}
	recW.Close()
	relR.Close()
	sampler, sampleErr := measure.Start(cmd.Process.Pid, p.SampleInterval)

	stopKill := context.AfterFunc(ctx, func() { cmd.Process.Kill() })
	var last record
	var readErr error
	sc := bufio.NewScanner(recR)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			readErr = fmt.Errorf("harness: trial %s/%s: bad record: %w", spec.Strategy, spec.Workload, err)
			cmd.Process.Kill()
			break
		}
		if r.Outcome != nil {
			last = r
			// The trial waits for relW's end: measure it once more.
			if sampler != nil {
				sampler.Sample()
			}
			relW.Close()
		} else if progress != nil {
			progress(r.Done)
		}
	}
	if err := sc.Err(); err != nil && readErr == nil {
		readErr = fmt.Errorf("harness: trial %s/%s: read its records: %w", spec.Strategy, spec.Workload, err)
		cmd.Process.Kill()
	}
	// However the reading ended, the trial must not wait for a release
	// that will not come while this waits for its end.
	relW.Close()
	io.Copy(io.Discard, recR)
	recR.Close()
	waitErr := cmd.Wait()
	stopKill()
	u := measure.Rusage(cmd.ProcessState)
	load.after(u.UserSeconds + u.SystemSeconds)
	var rep measure.Report
	if sampler != nil {
		rep = sampler.Stop()
	}
	// A trial whose outcome had arrived is measured, even if the run was
	// stopped while it exited (and it was killed then): only a trial cut
	// short is dropped.
	if err := ctx.Err(); err != nil && (readErr != nil || last.Outcome == nil) {
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	if last.Outcome == nil {
		return nil, fmt.Errorf("harness: trial %s/%s ended without an outcome: %v", spec.Strategy, spec.Workload, waitErr)
	}
	if last.Error != "" {
		if limit := limitOf(last.Error); limit != "" && (strings.Contains(last.Error, ": start worker ") || strings.Contains(last.Error, "no worker can start")) {
			// A pool that could not start its workers: say which limit.
			return nil, fmt.Errorf("harness: trial %s/%s: %s: %s", spec.Strategy, spec.Workload, last.Error, limit)
		}
		return nil, fmt.Errorf("harness: trial %s/%s: %s", spec.Strategy, spec.Workload, last.Error)
	}
	if err := startFailure(spec, last.Outcome); err != nil {
		return nil, err
	}
	if sampleErr != nil && !errors.Is(sampleErr, measure.ErrNoProcess) {
		return nil, fmt.Errorf("harness: sample trial %s/%s: %w", spec.Strategy, spec.Workload, sampleErr)
	}
	o := last.Outcome
	t := results.Trial{
		WallSeconds:            last.Wall,
		CPUUserSeconds:         u.UserSeconds,
		CPUSystemSeconds:       u.SystemSeconds,
		PeakPSSBytes:           rep.PeakPSSBytes,
		PeakRSSBytes:           rep.PeakRSSBytes,
		PeakProcesses:          rep.PeakProcesses,
		VoluntaryCtxSwitches:   u.VoluntaryCtxSwitches,
		InvoluntaryCtxSwitches: u.InvoluntaryCtxSwitches,
		ProcessesSpawned:       o.SpawnCount,
		SpawnSeconds:           o.Spawns,
		SpawnCPUSeconds:        o.SpawnCPU,
		SoloSpawnSeconds:       solo,
		OtherCPUSeconds:        load.other(),
		SampleIntervalSeconds:  rep.Interval.Seconds(),
		NoisyReason:            load.noise(),
		NATSServerStart:        o.NATSServerStart,
		TaskSeconds:            quantiles(o),
		TaskFinishSeconds:      o.Finish,
		Errors:                 o.Errors,
		ErrorKinds:             o.ErrorKinds,
		Checksum:               o.Checksum,
		Samples:                rep.Samples,
	}
	// Not raised to the trial's ru_maxrss: started by os/exec, the trial
	// ran in poolbench's memory map until exec, and the kernel carries that
	// map's high-water mark into the trial's figure. A trial too short for
	// the ticker still has the sample taken as its outcome arrived.
	if cg != nil {
		if peak, err := cg.PeakBytes(); err == nil {
			t.PeakCgroupBytes = peak
		}
	}
	return &trialResult{spec: spec, trial: t, rec: last, interval: rep.Interval}, nil
}

func quantiles(o *strategies.Outcome) results.Quantiles {
	q := results.Quantiles{Count: o.Tasks, Mean: o.LatencyMean, Min: o.LatencyMin, Max: o.LatencyMax}
	if len(o.Latency) == 4 {
		q.P50, q.P90, q.P95, q.P99 = o.Latency[0], o.Latency[1], o.Latency[2], o.Latency[3]
	}
	return q
}
