package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLeversFollowTheScope(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	day := nextWeekdays(1)[0]
	loadAndPlace(t, st, twoDepartements(day), day)
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A", "0390002B"})
	d := day.Format(time.DateOnly)
	capOf := func(hub int64) int {
		var n int
		if err := st.DB().Get(&n, `SELECT capacity FROM hub_day_capacity WHERE hub_id = $1 AND day = $2 AND level = 'elementaire'`, hub, d); err != nil {
			t.Fatal(err)
		}
		return n
	}
	setCap := func(b *browser, hub int64, n int) response {
		page := fmt.Sprintf("/poles/%d", hub)
		return b.post(page+"/capacite", url.Values{"csrf": {b.csrf("/")}, "jour": {d}, "niveau": {"elementaire"}, "capacite": {fmt.Sprint(n)}, "confirmer": {"oui"}})
	}
	pref := newBrowser(t, app)
	pref.login("pref25@example.fr", goodPassword)
	if res := setCap(pref, ids[0], 45); res.StatusCode != http.StatusSeeOther || capOf(ids[0]) != 45 {
		t.Errorf("Doubs agent raises a Doubs hub: %d, capacity %d", res.StatusCode, capOf(ids[0]))
	}
	if res := setCap(pref, ids[1], 0); res.StatusCode != http.StatusNotFound || capOf(ids[1]) != 15 {
		t.Errorf("Doubs agent cuts a Jura hub: %d, capacity %d", res.StatusCode, capOf(ids[1]))
	}
	if res := setCap(pref, ids[0], -3); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("negative capacity: %d", res.StatusCode)
	}
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	if res := setCap(dir, ids[0], 1); res.StatusCode != http.StatusNotFound || capOf(ids[0]) != 45 {
		t.Errorf("a director changes capacity: %d", res.StatusCode)
	}
	other := newBrowser(t, app)
	other.login("pref39@example.fr", goodPassword)
	for _, path := range []string{"/fermer?jour=" + d, "/fermer", "/rouvrir", "/capacite?jour=" + d + "&niveau=elementaire&capacite=0"} {
		if res := other.get(fmt.Sprintf("/poles/%d", ids[0]) + path); res.StatusCode != http.StatusNotFound {
			t.Errorf("Jura agent previews %s on a Doubs hub: %d", path, res.StatusCode)
		}
	}
	if res := other.post(fmt.Sprintf("/poles/%d/fermer", ids[0]), url.Values{"csrf": {other.csrf("/")}, "jour": {d}, "confirmer": {"oui"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("Jura agent closes a Doubs hub: %d", res.StatusCode)
	}
	// The preview of closing the Doubs hub for the day says Zoé would wait, and changes nothing;
	// a POST without the confirmation shows the same preview and does nothing either.
	closeDay := fmt.Sprintf("/poles/%d/fermer?jour=%s", ids[0], d)
	if res := pref.get(closeDay); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "1 enfant(s) et 0 frère(s) et sœur(s) perdront leur place") ||
		!strings.Contains(res.body, "1 enfant(s) ne trouveront pas de place ailleurs") || !strings.Contains(res.body, ">Confirmer</button>") || capOf(ids[0]) != 45 {
		t.Errorf("close-day preview: %d, capacity %d\n%s", res.StatusCode, capOf(ids[0]), res.body)
	}
	if res := pref.post(fmt.Sprintf("/poles/%d/fermer", ids[0]), url.Values{"csrf": {pref.csrf("/")}, "jour": {d}}); res.StatusCode != http.StatusOK || capOf(ids[0]) != 45 {
		t.Errorf("close without confirming: %d, capacity %d", res.StatusCode, capOf(ids[0]))
	}
	// Closing the Doubs hub for the day: Zoé loses her seat; no other Doubs hub is in reach, so
	// she waits, and the Jura child does not move. The hub page says so.
	res := pref.post(fmt.Sprintf("/poles/%d/fermer", ids[0]), url.Values{"csrf": {pref.csrf("/")}, "jour": {d}, "confirmer": {"oui"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close for the day: %d", res.StatusCode)
	}
	if page := pref.get(res.Header.Get("Location")); !strings.Contains(page.body, "Le pôle est fermé pour ce jour.") ||
		!strings.Contains(page.body, "1 enfant(s) ont été déplacés. 1 sont en liste d’attente. 1 e-mail(s) envoyés aux familles.") {
		t.Errorf("no notice of what the closure did: %s\n%s", res.Header.Get("Location"), page.body)
	}
	var zoe, noe string
	_ = st.DB().Get(&zoe, `SELECT CASE WHEN EXISTS (SELECT 1 FROM waitlist_entry w JOIN child c ON c.id = w.child_id WHERE c.first_name = 'Zoé') THEN 'waitlisted' ELSE 'placed' END`)
	_ = st.DB().Get(&noe, `SELECT h.uai FROM placement p JOIN hub h ON h.id = p.hub_id JOIN child c ON c.id = p.child_id WHERE c.first_name = 'Noé'`)
	if zoe != "waitlisted" || noe != "0390002B" {
		t.Errorf("after closing: Zoé %s, Noé in %s", zoe, noe)
	}
	var status string
	statusOf := func() string {
		if err := st.DB().Get(&status, `SELECT status FROM hub WHERE id = $1`, ids[0]); err != nil {
			t.Fatal(err)
		}
		return status
	}
	if res := pref.post(fmt.Sprintf("/poles/%d/fermer", ids[0]), url.Values{"csrf": {pref.csrf("/")}}); res.StatusCode != http.StatusOK || statusOf() != "open" {
		t.Errorf("close for good without confirming: %d, %s", res.StatusCode, status)
	}
	if res := pref.post(fmt.Sprintf("/poles/%d/fermer", ids[0]), url.Values{"csrf": {pref.csrf("/")}, "confirmer": {"oui"}}); res.StatusCode != http.StatusSeeOther || statusOf() != "closed" {
		t.Fatalf("close for good: %d, %s", res.StatusCode, status)
	}
	// Closed, the hub page offers to reopen it; reopening gives the capacity back.
	if page := pref.get(fmt.Sprintf("/poles/%d", ids[0])); !strings.Contains(page.body, fmt.Sprintf(`href="/poles/%d/rouvrir"`, ids[0])) {
		t.Error("a closed hub offers no reopening")
	}
	if res := other.post(fmt.Sprintf("/poles/%d/rouvrir", ids[0]), url.Values{"csrf": {other.csrf("/")}, "confirmer": {"oui"}}); res.StatusCode != http.StatusNotFound || statusOf() != "closed" {
		t.Errorf("Jura agent reopens a Doubs hub: %d, %s", res.StatusCode, status)
	}
	res = pref.post(fmt.Sprintf("/poles/%d/rouvrir", ids[0]), url.Values{"csrf": {pref.csrf("/")}, "confirmer": {"oui"}})
	if res.StatusCode != http.StatusSeeOther || statusOf() != "open" || capOf(ids[0]) != 30 {
		t.Errorf("reopen: %d, %s, capacity %d", res.StatusCode, status, capOf(ids[0]))
	}
	if page := pref.get(res.Header.Get("Location")); !strings.Contains(page.body, "Le pôle est rouvert.") || !strings.Contains(page.body, "1 enfant(s) de la liste d’attente ont reçu une place.") {
		t.Errorf("reopen notice missing: %s", res.Header.Get("Location"))
	}
	var audits int
	if err := st.DB().Get(&audits, `SELECT count(DISTINCT action) FROM audit_log WHERE action IN ('hub.capacity', 'hub.close_day', 'hub.close', 'hub.reopen')`); err != nil || audits != 4 {
		t.Errorf("levers audited: %d (%v)", audits, err)
	}
}

func TestTrendsFollowTheScope(t *testing.T) {
	app, st := newApp(t)
	day := nextWeekdays(1)[0]
	loadAndPlace(t, st, twoDepartements(day), day)
	rect := newBrowser(t, app)
	rect.login("rectorat@example.fr", goodPassword)
	res := rect.get("/tendances")
	if res.StatusCode != 200 || !strings.Contains(res.body, "Département 25") || !strings.Contains(res.body, "Département 39") || !strings.Contains(res.body, "<polyline") {
		t.Fatalf("rectorat trends: %d", res.StatusCode)
	}
	pref := newBrowser(t, app)
	pref.login("pref25@example.fr", goodPassword)
	res = pref.get("/tendances")
	if strings.Contains(res.body, "Département 39") || !strings.Contains(res.body, "<td>1</td><td>0</td><td>0</td>") {
		t.Errorf("Doubs trends: shows the Jura, or not 1 placed, 0 present, 0 waiting")
	}
}
