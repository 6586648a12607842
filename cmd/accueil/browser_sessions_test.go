package main

import (
	"context"
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
		logIn(base, demo.ParentEmail, demo.ParentPassword),
		follow(`main a[href="/sessions"]`),
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
	if png, err := screenshot(ctx, true); err == nil {
		_ = os.WriteFile(filepath.Join(screenshotDir(t), "sessions.png"), png, 0o644)
	}
}

// TestBrowserPersonalDataPages: on a 360 px wide phone, the demo parent reaches "Mes données"
// from the home page, reads the children and the erasure form, and the privacy notice from the
// footer; the admin reads the access log. None of them scrolls sideways.
func TestBrowserPersonalDataPages(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Now())
	fits := func(ctx context.Context, page, shot string, wants ...string) {
		t.Helper()
		main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		for _, w := range wants {
			if !strings.Contains(main, w) {
				t.Errorf("%s lacks %q", page, w)
			}
		}
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil || overflow {
			t.Errorf("%s scrolls sideways at 360 px (%v)", page, err)
		}
		if png, err := screenshot(ctx, true); err == nil {
			_ = os.WriteFile(filepath.Join(screenshotDir(t), shot+".png"), png, 0o644)
		}
	}
	ctx := newTab(t, chromium)
	if err := within(ctx,
		logIn(base, demo.ParentEmail, demo.ParentPassword),
		follow(`main a[href="/mes-donnees"]`),
	); err != nil {
		t.Fatal(err)
	}
	fits(ctx, "Mes données", "my-data", "Mes données", "Éloïse", "Noé", "Effacer mon compte", "Accès à vos données")
	if err := within(ctx,
		follow(`footer a[href="/donnees-personnelles"]`),
	); err != nil {
		t.Fatal(err)
	}
	fits(ctx, "the privacy notice", "privacy", "mission d’intérêt public", "Vos droits")
	admin := newTab(t, chromium)
	if err := within(admin,
		logIn(base, demo.AdminEmail, demo.StaffPassword),
		chromedp.Navigate(base+"/journal"),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	); err != nil {
		t.Fatal(err)
	}
	fits(admin, "the access log", "access-log", "Journal des accès", "auth.login")
}
