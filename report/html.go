package report

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/poolbench/poolbench/results"
)

//go:embed templates/*
var templateFS embed.FS

// templates are parsed once, on first use rather than at start-up: every
// process started from this binary (a pool worker, a trial) runs package
// initialisation, and most of them never draw a page. A broken template is
// a bug in this package, so it fails every test rather than some user's
// report.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"verdictClass": verdictClass,
		"changeClass": func(cell string) string {
			switch {
			case strings.HasPrefix(cell, "+"):
				return "worse" // every compared figure is better smaller
			case strings.HasPrefix(cell, "-"):
				return "better"
			}
			return ""
		},
		"numClass": func(g grid, i int) string {
			switch {
			case i < len(g.Numeric) && g.Numeric[i]:
				return "num"
			case i > 0:
				return "text" // free text, such as a note: may wrap
			}
			return ""
		},
	}).ParseFS(templateFS, "templates/*.tmpl"))
})

func styleSheet() template.CSS {
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err) // embedded at build time: cannot be missing
	}
	return template.CSS(css)
}

// kv is one line of a description list.
type kv struct{ Key, Value string }

// htmlChart is a chart as the page embeds it.
type htmlChart struct {
	chart
	Src           template.URL
	Width, Height int // in CSS pixels; see embedChart
}

type reportPage struct {
	CSS      template.CSS
	Title    string
	Subtitle string
	Partial  bool
	Host     []kv
	Config   []kv
	Summary  []grid
	Warnings []string
	Claims   *grid
	// ClaimKinds holds each claim's verdict kind, row by row, for its badge.
	ClaimKinds []results.VerdictKind
	Charts     []htmlChart
	Logging    *grid
	Notes      []string
	Footer     string
}

// HTML writes the report as one self-contained page: charts embedded as
// data URIs, the style sheet inline, no script and no network access, so
// that the file opens from disk anywhere and can be mailed or archived as
// it is.
func HTML(w io.Writer, run *results.Run) error {
	if run == nil {
		return errNilRun
	}
	charts, err := renderCharts(run)
	if err != nil {
		return err
	}
	return htmlPage(w, run, charts)
}

// htmlPage writes the page with charts already drawn.
func htmlPage(w io.Writer, run *results.Run, charts []chart) error {
	page := reportPage{
		CSS:      styleSheet(),
		Title:    "poolbench report",
		Subtitle: runSubtitle(run),
		Partial:  run.Partial,
		Host:     hostFacts(run.Host),
		Config:   configFacts(run.Config),
		Summary:  summaryGrids(run),
		Warnings: warnings(run),
		Notes:    append(append(append([]string(nil), run.Notes...), kneeNotes(run)...), pythonNotes(run)...),
		Footer:   fmt.Sprintf("poolbench %s · results schema %d", orDash(run.PoolbenchVersion), run.SchemaVersion),
	}
	if v := checksumVerdict(run); v != "" {
		page.Notes = append(page.Notes, v)
	}
	if g, ok := claimsGrid(run); ok {
		page.Claims = &g
		for _, c := range run.Claims {
			page.ClaimKinds = append(page.ClaimKinds, c.Kind)
		}
	}
	if g, ok := loggingGrid(run); ok {
		page.Logging = &g
	}
	for _, c := range charts {
		hc, err := embedChart(c)
		if err != nil {
			return err
		}
		page.Charts = append(page.Charts, hc)
	}
	return execute(w, "report.html.tmpl", page)
}

// WriteHTML writes report.html into dir, atomically: a reader never sees a
// half-written page.
func WriteHTML(dir string, run *results.Run) error {
	var buf bytes.Buffer
	if err := HTML(&buf, run); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "report.html"), buf.Bytes()); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

// execute renders a page into memory first, so that a template error does
// not leave half a page in w.
func execute(w io.Writer, name string, data any) error {
	var buf bytes.Buffer
	if err := templates().ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

// embedChart turns a chart into a data URI and reads its size, so the page
// reserves the space before the image decodes. The PNG is drawn at 150 dpi;
// shown at 96 CSS pixels per inch it stays sharp on high-density screens.
func embedChart(c chart) (htmlChart, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(c.PNG))
	if err != nil {
		return htmlChart{}, fmt.Errorf("report: chart %s: %w", c.File, err)
	}
	return htmlChart{
		chart:  c,
		Src:    template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(c.PNG)),
		Width:  cfg.Width * 96 / chartDPI,
		Height: cfg.Height * 96 / chartDPI,
	}, nil
}

// verdictClass colours a claim's verdict badge by its kind: it holds, it
// does not, it holds in part, or the run could not judge it. A claim from a
// file written before verdicts had kinds gets no colour.
func verdictClass(k results.VerdictKind) string {
	switch k {
	case results.Holds:
		return "good"
	case results.DoesNotHold:
		return "bad"
	case results.Partly:
		return "mixed"
	case results.NotMeasured:
		return "unmeasured"
	}
	return ""
}
