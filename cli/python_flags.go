package cli

import (
	"github.com/poolbench/poolbench/harness"
	"github.com/spf13/pflag"
)

// pythonOptions are the flags of the py-* strategies, shared by run, sweep
// and list.
type pythonOptions struct {
	python      string
	startMethod string
}

func (o *pythonOptions) addFlags(f *pflag.FlagSet, withStartMethod bool) {
	f.StringVar(&o.python, "python", "", "python3 interpreter for the py-* strategies (default: python3 on PATH)")
	if withStartMethod {
		f.StringVar(&o.startMethod, "py-start-method", "", "multiprocessing start method of the py-* strategies: fork|forkserver|spawn (default: the interpreter's)")
	}
}

func (o *pythonOptions) apply(cfg *harness.Config) {
	cfg.Python, cfg.PyStartMethod = o.python, o.startMethod
}
