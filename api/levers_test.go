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
		return b.post(page+"/capacite", url.Values{"csrf": {b.csrf("/")}, "jour": {d}, "niveau": {"elementaire"}, "capacite": {fmt.Sprint(n)}})
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
	if res := other.post(fmt.Sprintf("/poles/%d/fermer", ids[0]), url.Values{"csrf": {other.csrf("/")}, "jour": {d}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("Jura agent closes a Doubs hub: %d", res.StatusCode)
	}
	// Closing the Doubs hub for the day: Zoé loses her seat; no other Doubs hub is in reach, so
	// she waits, and the Jura child does not move.
	if res := pref.post(fmt.Sprintf("/poles/%d/fermer", ids[0]), url.Values{"csrf": {pref.csrf("/")}, "jour": {d}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close for the day: %d", res.StatusCode)
	}
	var zoe, noe string
	_ = st.DB().Get(&zoe, `SELECT CASE WHEN EXISTS (SELECT 1 FROM waitlist_entry w JOIN child c ON c.id = w.child_id WHERE c.first_name = 'Zoé') THEN 'waitlisted' ELSE 'placed' END`)
	_ = st.DB().Get(&noe, `SELECT h.uai FROM placement p JOIN hub h ON h.id = p.hub_id JOIN child c ON c.id = p.child_id WHERE c.first_name = 'Noé'`)
	if zoe != "waitlisted" || noe != "0390002B" {
		t.Errorf("after closing: Zoé %s, Noé in %s", zoe, noe)
	}
	if res := pref.post(fmt.Sprintf("/poles/%d/fermer", ids[0]), url.Values{"csrf": {pref.csrf("/")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close for good: %d", res.StatusCode)
	}
	var status string
	if err := st.DB().Get(&status, `SELECT status FROM hub WHERE id = $1`, ids[0]); err != nil || status != "closed" {
		t.Errorf("hub status %s (%v)", status, err)
	}
	var audits int
	if err := st.DB().Get(&audits, `SELECT count(*) FROM audit_log WHERE action IN ('hub.capacity', 'hub.close_day', 'hub.close')`); err != nil || audits < 3 {
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
