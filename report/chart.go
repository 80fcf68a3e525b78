package report

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/poolbench/poolbench/results"
)

// chartDPI is the resolution of every PNG: sharp on a high-density screen
// and in print, where gonum's default of 96 looks soft.
const chartDPI = 150

// chart is one rendered figure with the words that go with it in the HTML.
type chart struct {
	File    string // file name, such as wall.png
	Title   string
	Caption string // how to read it, in two sentences
	PNG     []byte
}

// chartMaker renders one kind of chart, or returns ok=false when the run has
// no data for it: a chart is skipped, never drawn from nothing.
type chartMaker func(run *results.Run) (c chart, ok bool, err error)

var chartMakers = []chartMaker{
	wallChart, speedupChart, goVsPythonChart, memoryChart, spawnChart, latencyChart, cpuChart,
	loggingChart, sweepWallChart, sweepSpeedupChart, bytesChart, finishChart,
}

// renderCharts draws every chart the run has data for.
func renderCharts(run *results.Run) ([]chart, error) {
	if run == nil {
		return nil, errNilRun
	}
	var out []chart
	for _, make := range chartMakers {
		c, ok, err := drawSafely(make, run)
		if err != nil && c.File == "" {
			return nil, fmt.Errorf("report: charts: %w", err)
		}
		if err != nil {
			return nil, fmt.Errorf("report: chart %s: %w", c.File, err)
		}
		if ok {
			if perResultCharts[c.File] && chartsTrimmed(run) {
				c.Caption += fmt.Sprintf(" With more than %d results on a workload, each strategy is drawn at its fastest pool size; the sweep charts show every size.", maxChartRows)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// drawSafely draws one chart, turning a panic of the plotting library into
// an error: a results file can be valid and still hold a figure a chart
// cannot draw (a log axis meets a zero), and that must cost one chart's
// error, not the whole report a stack trace.
func drawSafely(make func(*results.Run) (chart, bool, error), run *results.Run) (c chart, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, ok, err = chart{}, false, fmt.Errorf("cannot draw these figures: %v", r)
		}
	}()
	return make(run)
}

// perResultCharts are the charts that draw a bar (or a box) per result.
var perResultCharts = map[string]bool{"wall.png": true, "speedup.png": true, "memory.png": true, "spawn.png": true, "latency.png": true, "cpu.png": true}

// Charts writes one PNG per chart the run has data for into dir, and returns
// their file names in the order the report shows them.
func Charts(run *results.Run, dir string) ([]string, error) {
	charts, err := renderCharts(run)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: charts: %w", err)
	}
	names := make([]string, 0, len(charts))
	for _, c := range charts {
		if err := results.WriteFileAtomic(filepath.Join(dir, c.File), c.PNG); err != nil {
			return names, fmt.Errorf("report: chart %s: %w", c.File, err)
		}
		names = append(names, c.File)
	}
	return names, nil
}

var (
	sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	boldFont = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// newPanel returns a plot styled like every other one: sans-serif text, a
// light grid, no frame clutter.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(boldFont, 11)
	p.Title.Padding = vg.Points(6)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sansFont, 10)
		ax.Tick.Label.Font = font.From(sansFont, 9)
		ax.Color = colourInk
		ax.Tick.Color = colourInk
		ax.Label.Padding = vg.Points(4)
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	return p
}

// figure is a stack of panels (one per workload, usually) that share one
// legend, drawn to the right of the panels so it never hides data.
type figure struct {
	title  string
	panels []*plot.Plot
	legend []legendItem
	// width and panelHeight size the figure.
	width, panelHeight vg.Length
}

type legendItem struct {
	name  string
	thumb plot.Thumbnailer
}

// render sizes the figure for its tallest panel and draws it into c; a
// figure without panels (no data for it) is skipped, not an error.
func (f figure) render(c chart, rowsMax int) (chart, bool, error) {
	if len(f.panels) == 0 {
		return c, false, nil
	}
	f.panelHeight = panelHeight(rowsMax)
	png, err := f.png()
	c.PNG = png
	return c, err == nil, err
}

// png draws the figure at chartDPI.
func (f figure) png() ([]byte, error) {
	if len(f.panels) == 0 {
		return nil, fmt.Errorf("no panel to draw")
	}
	w, ph := f.width, f.panelHeight
	if w == 0 {
		w = 9 * vg.Inch
	}
	if ph == 0 {
		ph = 2.8 * vg.Inch
	}
	titleH := vg.Points(30)
	h := titleH + ph*vg.Length(len(f.panels))
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)

	title := font.From(boldFont, 14)
	dc.FillText(textStyle(title, draw.XLeft), vg.Point{X: dc.Min.X + vg.Points(10), Y: dc.Max.Y - vg.Points(22)}, f.title)

	leg := plot.NewLegend()
	leg.TextStyle.Font = font.From(sansFont, 10)
	leg.Top, leg.Left = true, true
	leg.Padding = vg.Points(4)
	leg.ThumbnailWidth = vg.Points(16)
	for _, it := range f.legend {
		leg.Add(it.name, it.thumb)
	}
	legendW := vg.Length(0)
	if len(f.legend) > 0 {
		legendW = leg.Rectangle(dc).Size().X + vg.Points(24)
	}
	body := draw.Crop(dc, vg.Points(4), -legendW, vg.Points(4), -titleH)
	if len(f.legend) > 0 {
		lc := draw.Crop(dc, w-legendW+vg.Points(10), -vg.Points(6), 0, -titleH-vg.Points(10))
		leg.Draw(lc)
	}
	n := len(f.panels)
	for i, p := range f.panels {
		top := body.Max.Y - body.Size().Y*vg.Length(i)/vg.Length(n)
		bottom := body.Max.Y - body.Size().Y*vg.Length(i+1)/vg.Length(n)
		pc := draw.Crop(body, 0, 0, bottom-body.Min.Y+vg.Points(2), top-body.Max.Y-vg.Points(2))
		p.Draw(pc)
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}
