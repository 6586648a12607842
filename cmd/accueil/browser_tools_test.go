package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// saveScreenshot saves the tab's screenshot as .data/screenshots/NAME.png: the whole page, or with
// full false what the screen shows.
func saveScreenshot(t *testing.T, ctx context.Context, name string, full bool) {
	t.Helper()
	png, err := screenshot(ctx, full)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// screenshot captures the tab: the whole page, or with full false what the screen shows. A capture
// Chromium leaves unanswered for 30 s is asked for again, up to three times, then fails: a CI run
// waited 17 minutes on one of the waiting room's page, until go test's timeout (probably the
// page's reload coming during the capture; not proven).
func screenshot(ctx context.Context, full bool) ([]byte, error) {
	capture := chromedp.CaptureScreenshot()
	if full {
		capture = chromedp.FullScreenshot(100)
	}
	var err error
	for range 3 {
		try, cancel := context.WithTimeout(ctx, 30*time.Second)
		png, runErr := chromedp.Run(try, capture)
		err = runErr
		timedOut := errors.Is(try.Err(), context.DeadlineExceeded)
		cancel()
		if !timedOut {
			return png, err
		}
	}
	return nil, err
}

// evalJS runs js in the tab and returns its value, failing the test on an error.
func evalJS(t *testing.T, ctx context.Context, js string) any {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}
