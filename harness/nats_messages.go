package harness

import (
	"slices"

	"github.com/poolbench/poolbench/natspool"
	"github.com/poolbench/poolbench/strategies"
	"github.com/poolbench/poolbench/workloads"
)

// checkNATSMessages refuses, before anything runs, payload tasks too large
// for one message of the embedded server the nats-* strategies start:
// otherwise their first task fails, after the other strategies' trials
// have run. An external server (--nats) has a limit of its own, which only
// a connection learns; its trials say so if the tasks do not fit.
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
