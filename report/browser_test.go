package report

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"
)

// findChromium returns a Chromium or Chrome binary, or "" when there is none.
func findChromium() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowserRendersReport opens report.html from disk in headless Chromium
// and checks what a reader would see: every chart decodes, and the page
// logs no error. Set POOLBENCH_SCREENSHOT to keep a full-page screenshot.
func TestBrowserRendersReport(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") == "" {
			t.Skip("no chromium binary; install chromium to run the browser test")
		}
		t.Fatal("CI is set but no chromium binary was found")
	}
	defer goleak.VerifyNone(t)

	dir := t.TempDir()
	if err := WriteHTML(dir, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	page, err := filepath.Abs(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()

	var mu sync.Mutex
	var problems []string
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	// The listener runs on the goroutine that reads the browser's messages,
	// so it only records; the test reads the list after the page is done.
	listener := func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				report("console.error: %v", ev.Args)
			}
		case *runtime.EventExceptionThrown:
			report("exception: %s", ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				report("log error (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		}
	}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(listener))
	defer cancel()
	// Start the browser without a deadline (the first Run owns its
	// lifetime), then bound the test's work.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	if err := chromedp.Do(tctx,
		chromedp.Navigate("file://"+page),
		chromedp.WaitReady(chromedp.CSS("footer")),
	); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	// Wait until every image has finished decoding, then count those that
	// failed: a broken data URI gives naturalWidth 0.
	type imgState struct {
		Total, Broken int
	}
	state, err := chromedp.Run(tctx, chromedp.Evaluate[imgState](`
		Promise.all([...document.images].map(i => i.decode().catch(() => null))).then(() => ({
			Total: document.images.length,
			Broken: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length,
		}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("inspect images: %v", err)
	}
	if state.Total != 7 || state.Broken != 0 {
		t.Errorf("images: %d on the page, %d broken; want 7 and 0", state.Total, state.Broken)
	}

	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := os.Getenv("POOLBENCH_SCREENSHOT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "report.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}

	// Close the browser before goleak looks for stray goroutines.
	cancelTimeout()
	if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("close chromium: %v", err)
	}
	cancelAlloc()
}
