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

// TestBrowserWaitingRoom: the admin forces the waiting room open on its page; a newcomer on a
// phone asking for the sign-up page sees the room (place, wait, a page that reloads itself);
// when the admin closes the room, the newcomer with JavaScript is sent on by the page's poll,
// and one without JavaScript by the meta refresh.
func TestBrowserWaitingRoom(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Now())
	admin := newTab(t, chromium)
	setMode := func(mode string) {
		t.Helper()
		if err := within(admin,
			chromedp.Navigate(base+"/admin/salle-attente"),
			chromedp.Click(chromedp.CSS(`label[for="mode-`+mode+`"]`)),
			submitAndWait(`#capacite`),
		); err != nil {
			t.Fatal(err)
		}
	}
	if err := within(admin, logIn(base, demo.AdminEmail, demo.StaffPassword),
		follow(`a[href="/admin/salle-attente"]`)); err != nil {
		t.Fatal(err)
	}
	setMode("open")
	if png, err := screenshot(admin, true); err == nil {
		_ = os.WriteFile(filepath.Join(screenshotDir(t), "waiting-room-admin.png"), png, 0o644)
	}

	parent := newTab(t, chromium)
	noScript := newTab(t, chromium)
	if _, err := chromedp.Call(noScript, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := within(parent, chromedp.Navigate(base+"/inscription"), chromedp.WaitVisible(chromedp.CSS("[data-position]"))); err != nil {
		t.Fatal(err)
	}
	if err := within(noScript, chromedp.Navigate(base+"/inscription")); err != nil {
		t.Fatal(err)
	}
	main, err := chromedp.Run(parent, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Salle d’attente", "Votre place dans la file", "Attente estimée", "Connexion des agents"} {
		if !strings.Contains(main, want) {
			t.Errorf("the waiting room lacks %q:\n%s", want, main)
		}
	}
	refresh, err := chromedp.Run(parent, chromedp.Evaluate[string](`document.querySelector('meta[http-equiv="refresh"]').content`))
	if err != nil || !strings.Contains(refresh, "url=/inscription") {
		t.Errorf("meta refresh %q (%v)", refresh, err)
	}
	png, err := screenshot(parent, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), "waiting-room.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}

	setMode("closed")
	// The poll (every 5 s) or the meta refresh (20 s at most) brings each to the sign-up form.
	if err := within(parent, waitUntil(`location.pathname === "/inscription" && !!document.querySelector("form input[name=password2]")`)); err != nil {
		t.Fatalf("with JavaScript: %v", err)
	}
	if err := within(noScript, chromedp.WaitVisible(chromedp.CSS("form input[name=password2]"))); err != nil {
		t.Fatalf("without JavaScript: %v", err)
	}
}
