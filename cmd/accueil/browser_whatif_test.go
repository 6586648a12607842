package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestBrowserWhatIf: the rectorat opens the what-if on the demo académie, cuts the capacity of
// a busy class to one seat and reads what it would do, at 1024 px and at 360 px; the lever it
// links to, prefilled, announces the same children moved.
func TestBrowserWhatIf(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Weekday())
	ctx := newTab(t, chromium)
	shot := func(name string) {
		t.Helper()
		png, err := screenshot(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(screenshotDir(t), "whatif-"+name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := within(ctx, chromedp.EmulateViewport(1024, 900), logIn(base, "rectorat@demo.test", demo.StaffPassword),
		chromedp.Navigate(base+"/occupation"), chromedp.WaitVisible(chromedp.CSS("main table"))); err != nil {
		t.Fatal(err)
	}
	hubs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll("main a[href^='/poles/']")].map(a => a.getAttribute("href")))].slice(0, 20)`))
	if err != nil || len(hubs) == 0 {
		t.Fatalf("no hub on the overview: %v", err)
	}
	// A hub, day and level with more than two children placed.
	var hub, day, level string
	for _, href := range hubs {
		if err := within(ctx, chromedp.Navigate(base+href), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
			const f = [...document.querySelectorAll("main form.ap-inline-form")].find(f => parseInt(f.closest("tr").querySelectorAll("td")[1].textContent) > 2);
			return f ? [f.querySelector("input[name=jour]").value, f.querySelector("input[name=niveau]").value] : [];
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if len(found) == 2 {
			hub, day, level = strings.TrimPrefix(href, "/poles/"), found[0], found[1]
			break
		}
	}
	if hub == "" {
		t.Fatal("no hub with more than two children placed in a level")
	}
	if err := within(ctx, chromedp.Navigate(base+"/simulation?jour="+day), chromedp.WaitVisible(chromedp.CSS("#capacite-pole")),
		chromedp.SetValue(chromedp.CSS("#capacite-pole"), hub), chromedp.SetValue(chromedp.CSS("#capacite-niveau"), level),
		chromedp.SetValue(chromedp.CSS("#capacite-capacite"), "1"), submitAndWait("#capacite-capacite"),
		chromedp.WaitVisible(chromedp.CSS("#resultat"))); err != nil {
		t.Fatal(err)
	}
	page := text()
	said := regexp.MustCompile(`(\d+) enfant\(s\) perdraient leur place et (\d+) frère\(s\) et sœur\(s\)`).FindStringSubmatch(page)
	if said == nil || said[1] == "0" || !strings.Contains(page, "Qui changerait de place") || !regexp.MustCompile(`Écart à la borne de la semaine\s*[\d,]+ %\s*[\d,]+ %`).MatchString(page) ||
		!strings.Contains(page, "Kilomètres, toutes places comprises") {
		t.Fatalf("the what-if does not say what the cut would do:\n%s", page)
	}
	if clipped, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](clippedButtons)); err != nil || len(clipped) > 0 {
		t.Errorf("buttons clipped at 1024 px: %v (%v)", clipped, err)
	}
	shot("1024")
	if err := within(ctx, chromedp.EmulateViewport(360, 780), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#resultat"))); err != nil {
		t.Fatal(err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || wide {
		t.Errorf("the page scrolls sideways at 360 px (%v)", err)
	}
	// The page's own buttons (the layout's header is not this page's).
	if clipped, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](strings.Replace(clippedButtons, ", header .fr-btn", "", 1))); err != nil || len(clipped) > 0 {
		t.Errorf("buttons clipped at 360 px: %v (%v)", clipped, err)
	}
	shot("360")
	// The lever, prefilled, announces the same children moved, and waits for a confirmation.
	if err := within(ctx, chromedp.Click(chromedp.CSS(`main a[href^="/poles/`+hub+`/capacite?"]`)), chromedp.WaitVisible(chromedp.CSS("main form button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
	lever := text()
	if !strings.Contains(lever, said[1]+" enfant(s) et "+said[2]+" frère(s) et sœur(s) perdront leur place") {
		t.Errorf("the what-if said %s and %s; the lever says:\n%s", said[1], said[2], lever)
	}
}
