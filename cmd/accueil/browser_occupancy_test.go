package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// clippedButtons lists the DSFR buttons of the page whose words do not fit the box drawn for
// them (an icon button drawn as a bare square clips its text away).
const clippedButtons = `[...document.querySelectorAll("main .fr-btn, header .fr-btn, main .fr-pagination__link")]
	.filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 2)
	.map(b => b.textContent.trim() || b.outerHTML.slice(0, 80))`

// TestBrowserOccupancyOverview: the rectorat and a prefecture agent use the overview of the
// demo académie (395 hubs) on a 1024 px screen: the table starts within the first screen, below
// alerts that are counts; the header stays in view while the table scrolls; 50 hubs a page;
// the search finds Besançon without its cedilla; the département filter and the sheets' links
// are there; no button is clipped to an icon.
func TestBrowserOccupancyOverview(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Weekday())
	ctx := newTab(t, chromium)
	shot := func(name string, full bool) { t.Helper(); saveScreenshot(t, ctx, "occupancy-"+name, full) }
	eval := func(js string) any { t.Helper(); return evalJS(t, ctx, js) }
	open := func(path string) {
		t.Helper()
		if err := within(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
	}
	rows := func() int { return int(eval(`document.querySelectorAll("main tbody tr").length`).(float64)) }
	noClipped := func(page string) {
		t.Helper()
		if clipped := eval(clippedButtons).([]any); len(clipped) > 0 {
			t.Errorf("%s: buttons drawn without their words: %v", page, clipped)
		}
	}

	if err := within(ctx, chromedp.EmulateViewport(1024, 768), logIn(base, demo.RectoratEmail, demo.StaffPassword)); err != nil {
		t.Fatal(err)
	}
	open("/occupation")
	shot("rectorat", true)
	shot("rectorat-top", false)
	if top := eval(`document.querySelector("main table").getBoundingClientRect().top + scrollY`).(float64); top > 1400 {
		t.Errorf("the table starts %.0f px down the page", top)
	}
	if n := rows(); n != 50 {
		t.Errorf("first page: %d rows, want 50", n)
	}
	noClipped("/occupation")
	if wide := eval(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && e.offsetParent !== null).slice(0, 8).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`).([]any); len(wide) > 0 {
		t.Errorf("at 1024 px the page scrolls sideways: %v", wide)
	}
	for _, href := range []string{"/feuilles/", "format=zip", "format=pdf"} {
		if eval(`!!document.querySelector('main a[href*="`+href+`"]')`) != true {
			t.Errorf("no link to the day's sheets (%s)", href)
		}
	}
	// Scrolled down the table, its header row stays at the top of the screen.
	eval(`window.scrollTo(0, document.querySelector("main tbody tr:nth-child(30)").getBoundingClientRect().top + scrollY)`)
	if top := eval(`document.querySelector("main thead th").getBoundingClientRect().top`).(float64); top < -1 || top > 2 {
		t.Errorf("scrolled down, the table header is at %.0f px, want at the top", top)
	}
	shot("rectorat-scrolled", false)
	// The next page.
	if err := within(ctx, follow("a.fr-pagination__link--next")); err != nil {
		t.Fatal(err)
	}
	if shown := eval(`document.getElementById("shown").textContent`).(string); !strings.HasPrefix(shown, "Pôles 51 à 100 sur ") {
		t.Errorf("page 2 says %q", shown)
	}
	// Search without the cedilla, then a département.
	open("/occupation")
	if err := within(ctx, chromedp.SendKeys(chromedp.ID("q"), "besancon"), submitAndWait("#q")); err != nil {
		t.Fatal(err)
	}
	communes := eval(`[...document.querySelectorAll("main tbody tr td:nth-child(2)")].map(td => td.textContent)`).([]any)
	if len(communes) == 0 {
		t.Fatal(`"besancon" finds no hub`)
	}
	for _, c := range communes {
		if !strings.Contains(c.(string), "Besançon") && !strings.Contains(eval(`document.querySelector("main tbody").textContent`).(string), "Besançon") {
			t.Errorf("search besancon shows a hub of %s", c)
		}
	}
	shot("rectorat-search", true)
	open("/occupation")
	if err := within(ctx, chromedp.SetValue(chromedp.ID("departement"), "39"), submitAndWait("#departement")); err != nil {
		t.Fatal(err)
	}
	for _, c := range eval(`[...document.querySelectorAll("main tbody tr td:nth-child(2)")].map(td => td.textContent.slice(-3, -1))`).([]any) {
		if c != "39" {
			t.Errorf("département 39 shows a hub of %v", c)
		}
	}

	// The Doubs prefecture: its own hubs only, no département to choose.
	ctx = newTab(t, chromium)
	if err := within(ctx, chromedp.EmulateViewport(1024, 768), logIn(base, "prefecture25@demo.test", demo.StaffPassword)); err != nil {
		t.Fatal(err)
	}
	open("/occupation")
	shot("prefecture25", true)
	noClipped("/occupation (prefecture)")
	if eval(`!!document.getElementById("departement")`) != false {
		t.Error("the Doubs agent is offered a choice of département")
	}
	for _, c := range eval(`[...document.querySelectorAll("main tbody tr td:nth-child(2)")].map(td => td.textContent.slice(-3, -1))`).([]any) {
		if c != "25" {
			t.Fatalf("the Doubs agent sees a hub of %v", c)
		}
	}
	// The alert of the full hubs leads to the table of those hubs.
	if eval(`!!document.querySelector('a[href*="etat=full"]')`) == true {
		if err := within(ctx, follow(`a[href*="etat=full"]`)); err != nil {
			t.Fatal(err)
		}
		if badges := eval(`[...document.querySelectorAll("main tbody .fr-badge")].filter(b => !b.classList.contains("fr-badge--error")).length`).(float64); badges != 0 || rows() == 0 {
			t.Errorf("the full hubs' table: %d rows, %.0f not full", rows(), badges)
		}
	}
	// A hub's page: its buttons show their words.
	open(eval(`document.querySelector("main tbody a").getAttribute("href")`).(string))
	noClipped("hub page")
	shot("hub", true)
}
