package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestBrowserSessionsPage: on a 360 px wide phone, the demo parent reaches "Mes sessions" from
// the home page, sees this session marked, and the page fits the screen (no sideways scroll).
func TestBrowserSessionsPage(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Now())
	ctx := newTab(t, chromium)
	if err := within(ctx,
		chromedp.Navigate(base+"/connexion"),
		chromedp.SendKeys(chromedp.ID("email"), demo.ParentEmail),
		chromedp.SendKeys(chromedp.ID("password"), demo.ParentPassword),
		submitAndWait("#password"),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`),
		chromedp.Click(chromedp.CSS(`main a[href="/sessions"]`)),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) main h1")),
	); err != nil {
		t.Fatal(err)
	}
	main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil || !strings.Contains(main, "Mes sessions") || !strings.Contains(strings.ToLower(main), "cette session") {
		t.Fatalf("sessions page: %v\n%s", err, main)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || overflow {
		t.Errorf("the sessions page scrolls sideways at 360 px (%v)", err)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(screenshotDir(t), "sessions.png"), png, 0o644)
	}
}
