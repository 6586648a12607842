package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestBrowserOversightInEnglish: the rectorat, in English, uses the map (zoom buttons with
// their words, a hub's popup, the data's attribution), the allocation page and the overview
// and its week view on a 360 px phone, where neither page scrolls sideways. The screenshots
// go to .data/screenshots (english-*.png).
func TestBrowserOversightInEnglish(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Weekday())
	ctx := newTab(t, chromium)
	shot := func(name string, full bool) { t.Helper(); saveScreenshot(t, ctx, "english-"+name, full) }
	eval := func(js string) any { t.Helper(); return evalJS(t, ctx, js) }
	text := func(sel string) string {
		t.Helper()
		return eval(`(document.querySelector(` + "`" + sel + "`" + `) || {}).textContent || ""`).(string)
	}
	if err := within(ctx, chromedp.EmulateViewport(1024, 768), logIn(base, demo.RectoratEmail, demo.StaffPassword),
		chromedp.Navigate(base+"/langue?lang=en&next=/carte"),
		waitUntil(`document.querySelectorAll("#carte path.leaflet-interactive").length >= 300`),
	); err != nil {
		t.Fatal(err)
	}
	if in, out := text(".leaflet-control-zoom-in"), text(".leaflet-control-zoom-out"); !strings.Contains(in, "Zoom in") || !strings.Contains(out, "Zoom out") {
		t.Errorf("zoom buttons %q and %q, want their English words", in, out)
	}
	if a := text(".leaflet-control-attribution"); !strings.Contains(a, "Geographic data") {
		t.Errorf("map attribution %q", a)
	}
	// A hub's popup: the last circles drawn are the hubs'.
	eval(`[...document.querySelectorAll("#carte path.leaflet-interactive")].pop().dispatchEvent(new MouseEvent("click", {bubbles: true}))`)
	if err := within(ctx, waitUntil(`!!document.querySelector(".leaflet-popup") && getComputedStyle(document.querySelector(".leaflet-popup")).opacity === "1"`)); err != nil {
		t.Fatal(err)
	}
	if popup := text(".leaflet-popup-content"); !strings.Contains(popup, "seats taken") || !strings.Contains(popup, "present") || strings.Contains(popup, "présents") {
		t.Errorf("hub popup %q, want English", popup)
	}
	shot("map", true)

	if err := within(ctx, chromedp.Navigate(base+"/attribution"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if h := text("main thead"); !strings.Contains(h, "Distance above the best possible") || !strings.Contains(h, "Draw") {
		t.Errorf("allocation table headers %q", h)
	}
	// Run kinds are words, not the code words the database keeps.
	if body := text("main tbody"); !strings.Contains(body, "Run by hand") || strings.Contains(body, "manual") || strings.Contains(body, "confirmation") {
		t.Errorf("allocation runs %q: kinds not in words", body)
	}
	shot("allocation", true)

	if err := within(ctx, chromedp.EmulateViewport(360, 780)); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/occupation", "/occupation/semaine"} {
		if err := within(ctx, chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main table"))); err != nil {
			t.Fatal(err)
		}
		if wide := eval(`document.documentElement.scrollWidth - innerWidth`).(float64); wide > 1 {
			t.Errorf("%s at 360 px scrolls sideways by %.0f px", page, wide)
		}
		if clipped := eval(clippedButtons).([]any); len(clipped) > 0 {
			t.Errorf("%s at 360 px: buttons drawn without their words: %v", page, clipped)
		}
		if lang := eval(`document.documentElement.lang`); lang != "en" {
			t.Errorf("%s is in %v", page, lang)
		}
		name := "360" + strings.ReplaceAll(page, "/", "-")
		shot(name, true)
		shot(name+"-top", false)
		eval(`window.scrollTo(0, document.querySelector("main table").getBoundingClientRect().top + scrollY - 60)`)
		shot(name+"-table", false)
	}
	// The phone's menu: the account's long name wraps inside the screen.
	if err := within(ctx, chromedp.Click(chromedp.ID("button-menu")),
		waitUntil(`document.getElementById("modal-menu").classList.contains("fr-modal--opened")`)); err != nil {
		t.Fatal(err)
	}
	if cut := eval(`[...document.querySelectorAll("#modal-menu .fr-btn")].filter(b => b.scrollWidth > b.clientWidth + 2 || b.getBoundingClientRect().right > innerWidth).map(b => b.textContent.trim())`).([]any); len(cut) > 0 {
		t.Errorf("the phone's menu cuts %v", cut)
	}
	shot("360-menu", false)
}
