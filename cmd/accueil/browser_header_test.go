package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// headerCut lists the header's controls a user sees (links, buttons, the account's name) whose
// words do not fit their box, whose box reaches past either edge of the screen, or which are
// drawn over the service's name and tagline.
const headerCut = `(() => {
	const brand = document.querySelector(".fr-header__brand").getBoundingClientRect();
	const over = (r, b) => r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom;
	return [...document.querySelectorAll("header a, header button, header .fr-btn")]
		.filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== "hidden" && e.getBoundingClientRect().width > 0)
		.filter(e => { const r = e.getBoundingClientRect();
			return e.scrollWidth > e.clientWidth || r.left < 0 || r.right > innerWidth || (!!e.closest(".fr-header__tools") && over(r, brand)); })
		.map(e => { const r = e.getBoundingClientRect();
			return e.textContent.trim() + " (" + e.scrollWidth + " > " + e.clientWidth + ", " + Math.round(r.left) + "–" + Math.round(r.right) + " of " + innerWidth + ")"; });
})()`

// TestBrowserHeaderFitsAPhone: the shared header of the staff pages (the staff list, the
// what-if) at 360 px, menu closed and opened, then at 1024 px: no control has its words cut
// ("Connecté : <name>" was clipped on a phone), none reaches past the screen or over the
// service's name, and the page does not scroll sideways, even for an account with a long name
// (at 1024 px it was drawn on one line over the tagline). Screenshots: .data/screenshots/header-*.png.
func TestBrowserHeaderFitsAPhone(t *testing.T) {
	chromium := chromiumPath(t)
	dbURL := demoURL(t, pgtest.Weekday())
	base, _, _ := startServerOn(t, dbURL, pgtest.Weekday())
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const long = "Marie-Geneviève Dupont-Aignan de La Rochefoucauld-Montmorency"
	if _, err := db.Exec(`UPDATE account SET display_name = $1 WHERE email = $2`, long, demo.RectoratEmail); err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t, chromium)
	eval := func(js string) any { t.Helper(); return evalJS(t, ctx, js) }
	if err := within(ctx, logIn(base, demo.RectoratEmail, demo.StaffPassword)); err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		if cut := eval(headerCut).([]any); len(cut) > 0 {
			t.Errorf("%s: header controls cut or off the screen: %v", what, cut)
		}
		if wide := eval(`document.documentElement.scrollWidth - innerWidth`).(float64); wide > 0 {
			t.Errorf("%s: the page scrolls sideways by %.0f px", what, wide)
		}
	}
	for _, page := range []string{"/admin/agents", "/simulation"} {
		name := strings.ReplaceAll(strings.Trim(page, "/"), "/", "-")
		if err := within(ctx, chromedp.EmulateViewport(360, 780), chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		check(page + " at 360 px")
		if err := within(ctx, chromedp.Click(chromedp.ID("button-menu")),
			waitUntil(`document.getElementById("modal-menu").classList.contains("fr-modal--opened")`)); err != nil {
			t.Fatal(err)
		}
		if n := eval(`[...document.querySelectorAll("#modal-menu .fr-btn")].filter(e => e.textContent.includes(` + "`" + long + "`" + `) && e.offsetParent !== null).length`).(float64); n != 1 {
			t.Errorf("%s: the opened menu shows the account's name %.0f times, want once", page, n)
		}
		check(page + " at 360 px, menu opened")
		saveScreenshot(t, ctx, "header-"+name+"-360-menu", false)
		if err := within(ctx, chromedp.EmulateViewport(1024, 768), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		check(page + " at 1024 px")
		saveScreenshot(t, ctx, "header-"+name+"-1024", false)
	}
}
