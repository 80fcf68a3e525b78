package cli

import (
	"github.com/poolbench/poolbench/harness"
	"github.com/spf13/pflag"
)

// natsOptions are the nats-* strategies' server flags.
type natsOptions struct {
	url, listen string
}

func (o *natsOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.url, "nats", "", "NATS server for the nats-* strategies (default: one embedded in each trial)")
	f.StringVar(&o.listen, "listen", "", "address the nats-* strategies' embedded server listens on, so that poolbench worker on other hosts can join (default: a random loopback port)")
}

func (o *natsOptions) apply(cfg *harness.Config) { cfg.NATSURL, cfg.NATSListen = o.url, o.listen }
