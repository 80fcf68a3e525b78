package harness

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/poolbench/poolbench/natspool"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

// checkNATSMessages refuses, before anything runs, payload tasks too large
// for one message of the embedded server the nats-* strategies start:
// otherwise their first task fails, after the other strategies' trials
// have run. An external server (--nats) has a limit of its own, which only
// a connection learns: probeNATSServer checks that one.
func (p *plan) checkNATSMessages() error {
	if p.NATSURL != "" || !slices.Contains(p.Workloads, workloads.PayloadName) || !slices.ContainsFunc(p.Strategies, strategies.IsNATS) {
		return nil
	}
	args, result := workloads.PayloadTaskSizes(p.Options)
	if err := natspool.Fits(workloads.PayloadName, args, result, natspool.EmbeddedMaxPayload); err != nil {
		return configErr("--payload under the nats-* strategies' embedded server (max_payload %d): %v; use a smaller --payload with them, or --nats with a server that takes more", natspool.EmbeddedMaxPayload, err)
	}
	return nil
}

// natsProbeTimeout bounds the connection to an external server before a run.
const natsProbeTimeout = 5 * time.Second

// probeNATSServer connects once to the external server the nats-* strategies
// are to use (--nats), as the configuration is checked, before anything
// runs or is written: a server that does not answer is one line, not a
// partial run with nothing measured, and payload tasks are checked against
// its own max_payload as they are against the embedded server's.
func (p *plan) probeNATSServer() error {
	if p.NATSURL == "" || !slices.ContainsFunc(p.Strategies, strategies.IsNATS) {
		return nil
	}
	limit, err := maxPayloadAt(p.NATSURL)
	if err != nil {
		if cause := errors.Unwrap(err); cause != nil {
			err = cause // natspool's own wrapping names the URL again
		}
		return configErr("--nats %s: cannot connect: %v", p.NATSURL, err)
	}
	if !slices.Contains(p.Workloads, workloads.PayloadName) {
		return nil
	}
	args, result := workloads.PayloadTaskSizes(p.Options)
	if err := natspool.Fits(workloads.PayloadName, args, result, limit); err != nil {
		return configErr("--payload under the server at %s (max_payload %d): %v; use a smaller --payload with the nats-* strategies", p.NATSURL, limit, err)
	}
	return nil
}

// probedLimits holds each external server's max_payload for probeFresh
// after a probe reached it: the CLI validates a configuration before it
// claims the output folder, then runs it, and the second check must not
// connect again. A server that did not answer, or was probed longer ago
// (by a program that runs many configurations), is asked again.
var probedLimits sync.Map // URL -> probed

type probed struct {
	limit int
	at    time.Time
}

const probeFresh = time.Minute

func maxPayloadAt(url string) (int, error) {
	if p, ok := probedLimits.Load(url); ok && time.Since(p.(probed).at) < probeFresh {
		return p.(probed).limit, nil
	}
	limit, err := natspool.MaxPayloadAt(url, natsProbeTimeout)
	if err != nil {
		probedLimits.Delete(url)
		return 0, err
	}
	probedLimits.Store(url, probed{limit, time.Now()})
	return limit, nil
}
