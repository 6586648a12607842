package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestBrowserParentHomeAndMenu walks the demo parent's journey on a 360 px phone: the home's
// cards (where, when, the hub's phone and hours, what to bring), the household form with the
// second parent's part following its box and the notice once saved, a booking, a day cancelled
// after its confirmation; then, with JavaScript off, the menu with the language switch and the
// logout. Each step leaves a screenshot in .data/screenshots (parent-*.png).
func TestBrowserParentHomeAndMenu(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Now())
	ctx := newTab(t, chromium)
	save := func(name string) {
		if png, err := screenshot(ctx, true); err == nil {
			_ = os.WriteFile(filepath.Join(screenshotDir(t), "parent-"+name+".png"), png, 0o644)
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
	eval := func(js string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Nothing wider than the phone: no table whose columns push the page sideways.
	fitsThePhone := `document.documentElement.scrollWidth <= window.innerWidth`

	if err := within(ctx, logIn(base, demo.ParentEmail, demo.ParentPassword)); err != nil {
		t.Fatal(err)
	}
	home := text()
	for _, want := range []string{"Où et quand vont vos enfants", "Éloïse — semaine du", "Noé — semaine du", "Ouvert de", "Téléphone :",
		"Voir sur la carte", "À apporter", "les médicaments et la copie du PAI de Noé"} {
		if !strings.Contains(home, want) {
			t.Errorf("the parent's home lacks %q", want)
		}
	}
	if !eval(`!!document.querySelector(".ap-week-cards a[href^='tel:']") && !document.querySelector("main table")`) {
		t.Error("the home's cards have no phone link, or the home still has a table")
	}
	if !eval(fitsThePhone) {
		t.Error("the parent's home is wider than a 360 px phone")
	}
	save("home")
	// With JavaScript, the DSFR's menu on the phone holds the header's tools: language, logout.
	if err := within(ctx, chromedp.Click(chromedp.ID("button-menu")),
		waitUntil(`(() => { const b = document.querySelector('#modal-menu .fr-header__menu-links form[action="/deconnexion"] button'); return !!b && b.getBoundingClientRect().height > 0 })()`)); err != nil {
		t.Fatalf("the phone menu has no logout: %v", err)
	}
	if !eval(`!!document.querySelector('#modal-menu .fr-header__menu-links a[href^="/langue"]')`) {
		t.Error("the phone menu has no language switch")
	}
	save("menu")
	if err := within(ctx, chromedp.Click(chromedp.CSS("#modal-menu .fr-btn--close")),
		waitUntil(`!document.getElementById("modal-menu").classList.contains("fr-modal--opened")`)); err != nil {
		t.Fatal(err)
	}

	// The second parent's fields follow "Ajouter un second parent".
	if err := within(ctx, follow(`a[href="/foyer"]`)); err != nil {
		t.Fatal(err)
	}
	if !eval(`!document.getElementById("p2-fields").hidden`) {
		t.Error("the demo household's second parent is hidden")
	}
	if err := within(ctx, chromedp.Click(chromedp.CSS(`label[for="p2_present"]`))); err != nil {
		t.Fatal(err)
	}
	if !eval(`document.getElementById("p2-fields").hidden && document.getElementById("p2_first").offsetParent === null`) {
		t.Error("unticking the second parent leaves its fields shown")
	}
	save("household-one-parent")
	if err := within(ctx, chromedp.Click(chromedp.CSS(`label[for="p2_present"]`)), chromedp.Click(chromedp.CSS(`label[for="sworn"]`)),
		submitAndWait("#home_address")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text(), "Foyer enregistré.") {
		t.Error("no notice once the household is saved")
	}
	save("household-saved")

	// A booking, then the home's cards again.
	if err := within(ctx, chromedp.Navigate(base+"/reserver"), chromedp.WaitVisible(chromedp.CSS("input[name=day]")),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("input[name=day]")].slice(-1).forEach(i => i.checked = true)`),
		submitAndWait("select#arrive_at")); err != nil {
		t.Fatal(err)
	}
	if r := strings.ToLower(text()); !strings.Contains(r, "place proposée") && !strings.Contains(r, "place confirmée") && !strings.Contains(r, "liste d’attente") {
		t.Fatalf("booking result:\n%s", r)
	}
	save("booking-result")
	if err := within(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".ap-week-cards"))); err != nil {
		t.Fatal(err)
	}
	if !eval(fitsThePhone) {
		t.Error("the home after booking is wider than the phone")
	}
	save("home-after-booking")

	// Cancelling a day asks first, then says it is done.
	if err := within(ctx, follow(`.ap-week-cards a[href="/reservations"]`), submitAndWait("form[action='/reservations/annuler'] button")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text(), "sera annulée et la place libérée") {
		t.Fatalf("no confirmation before cancelling a day:\n%s", text())
	}
	save("cancel-confirm")
	if err := within(ctx, submitAndWait("main form button[type=submit]")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text(), "1 jour(s) annulé(s)") {
		t.Error("no notice after cancelling a day")
	}
	save("cancelled")

	// Without JavaScript the DSFR's menu button opens nothing: the plain menu takes its place.
	ctx = newTab(t, chromium)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := within(ctx, logIn(base, demo.ParentEmail, demo.ParentPassword)); err != nil {
		t.Fatal(err)
	}
	if !eval(`getComputedStyle(document.querySelector(".ap-nojs-menu")).display !== "none" && document.getElementById("button-menu").offsetParent === null`) {
		t.Fatal("without JavaScript the phone shows the menu button that cannot open, not the plain menu")
	}
	if err := within(ctx, chromedp.Click(chromedp.CSS(".ap-nojs-menu summary"))); err != nil {
		t.Fatal(err)
	}
	if !eval(`[...document.querySelectorAll(".ap-nojs-menu a, .ap-nojs-menu button")].filter(e => e.offsetParent !== null).map(e => e.textContent.trim()).join("|") === "Accueil|English|Mes sessions|Se déconnecter"`) {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll(".ap-nojs-menu a, .ap-nojs-menu button")].map(e => e.textContent.trim() + (e.offsetParent ? "" : " (hidden)")).join("|")`))
		t.Errorf("the plain menu shows %q", got)
	}
	save("menu-without-javascript")
	if err := within(ctx, submitAndWait(".ap-nojs-menu form[action='/deconnexion'] button")); err != nil {
		t.Fatal(err)
	}
	if eval(`!!document.querySelector("form[action='/deconnexion']")`) {
		t.Error("the plain menu's logout did not log out")
	}
}
