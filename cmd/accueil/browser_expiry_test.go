package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestBrowserBookingAfterTheSessionEnded: the demo parent, on a 360 px phone, ticks days on
// the booking form, and her session ends before she sends it (as it would overnight). Sending
// it books nothing and takes her to the login page, which says why; once logged in she is back
// on the form with the same days ticked, and sending it books them. Screenshots:
// .data/screenshots/expiry-*.png.
func TestBrowserBookingAfterTheSessionEnded(t *testing.T) {
	chromium := chromiumPath(t)
	dbURL := demoURL(t, pgtest.Now())
	base, _, _ := startServerOn(t, dbURL, pgtest.Now())
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := newTab(t, chromium)
	text := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ticked := func() []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll("input[name=day]:checked")].map(i => i.value)`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	requests := func() int {
		t.Helper()
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM booking_request br JOIN child c ON c.id = br.child_id
			JOIN household h ON h.id = c.household_id JOIN account a ON a.id = h.account_id WHERE a.email = $1`, demo.ParentEmail); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if err := within(ctx, logIn(base, demo.ParentEmail, demo.ParentPassword),
		chromedp.Navigate(base+"/reserver"), chromedp.WaitVisible(chromedp.CSS("input[name=day]"))); err != nil {
		t.Fatal(err)
	}
	// The last two days offered, which the demo parent has not booked yet, for every child.
	if err := within(ctx, chromedp.Evaluate[chromedp.Void](`{
		document.querySelectorAll("input[name=day]").forEach(i => i.checked = false);
		[...document.querySelectorAll("input[name=day]")].slice(-2).forEach(i => i.checked = true);
	}`)); err != nil {
		t.Fatal(err)
	}
	chosen := ticked()
	if len(chosen) != 2 {
		t.Fatalf("days ticked: %v", chosen)
	}
	saveScreenshot(t, ctx, "expiry-1-form", true)
	before := requests()

	// Her sessions end while the form is open.
	if _, err := db.Exec(`DELETE FROM session WHERE account_id = (SELECT id FROM account WHERE email = $1)`, demo.ParentEmail); err != nil {
		t.Fatal(err)
	}
	if err := within(ctx, submitAndWait("select#arrive_at")); err != nil {
		t.Fatal(err)
	}
	page := text()
	if !strings.Contains(page, "Se connecter") || !strings.Contains(strings.ToLower(page), "session") {
		t.Fatalf("after sending the form with the session ended:\n%s", page)
	}
	if n := requests(); n != before {
		t.Fatalf("%d booking requests after the refused form, %d before", n, before)
	}
	saveScreenshot(t, ctx, "expiry-2-login", true)

	// Logged in again, she is back on the form with her days still ticked.
	if err := within(ctx,
		chromedp.SendKeys(chromedp.ID("email"), demo.ParentEmail),
		chromedp.SendKeys(chromedp.ID("password"), demo.ParentPassword),
		submitAndWait("#password"),
		chromedp.WaitVisible(chromedp.CSS("input[name=day]"))); err != nil {
		t.Fatal(err)
	}
	if got := ticked(); strings.Join(got, ",") != strings.Join(chosen, ",") {
		t.Fatalf("days ticked after logging in again: %v, want %v", got, chosen)
	}
	saveScreenshot(t, ctx, "expiry-3-back", true)
	if err := within(ctx, submitAndWait("select#arrive_at")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(text()), "votre réservation") || requests() <= before {
		t.Fatalf("booking after logging in again:\n%s", text())
	}
	saveScreenshot(t, ctx, "expiry-4-booked", true)
}
