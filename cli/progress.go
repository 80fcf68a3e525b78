package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/poolbench/poolbench/harness"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressBar shows trials done on stderr when stderr is a terminal, and
// stays silent otherwise, so that logs and CI output hold only results.
type progressBar struct {
	bar *progressbar.ProgressBar
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progressBar{}
	}
	return &progressBar{bar: progressbar.NewOptions(1000,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progressBar) update(pr harness.Progress) {
	if p.bar == nil {
		return
	}
	if p.bar.GetMax() != pr.Trials*1000 {
		p.bar.ChangeMax(pr.Trials * 1000)
	}
	phase := "trial"
	if pr.Warmup {
		phase = "warmup"
	}
	p.bar.Describe(fmt.Sprintf("%-6s %s/%s", phase, pr.Workload, pr.Strategy))
	// Each trial is a thousandth-step unit, so that the bar also moves
	// within a long trial as its tasks complete.
	frac := 0
	if pr.Tasks > 0 {
		frac = int(pr.TasksDone * 999 / int64(pr.Tasks))
	}
	p.bar.Set((pr.Trial-1)*1000 + frac)
}

func (p *progressBar) finish() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}
