package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestAccessLogSearch: a director's sheet download and a prefecture's day ZIP are found by the
// child they showed, the hub, the account and the day; the CSV export holds the same entries;
// the search itself is logged; only an admin reaches the page; bad input is named.
func TestAccessLogSearch(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	day := nextWeekdays(1)[0]
	loadAndPlace(t, st, twoDepartements(day), day)
	createAccount(t, st, store.NewAccount{Email: "admin@example.fr", Role: store.RoleAdmin})
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A", "0390002B"})
	var zoe, noe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Get(&noe, `SELECT id FROM child WHERE first_name = 'Noé'`); err != nil {
		t.Fatal(err)
	}
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	if res := dir.get(fmt.Sprintf("/poles/%d/feuille?jour=%s&format=csv", ids[0], day.Format(time.DateOnly))); res.StatusCode != 200 {
		t.Fatalf("sheet: %d", res.StatusCode)
	}
	pref := newBrowser(t, app)
	pref.login("pref39@example.fr", goodPassword)
	if res := pref.get("/feuilles/" + day.Format(time.DateOnly)); res.StatusCode != 200 {
		t.Fatalf("day sheets: %d", res.StatusCode)
	}
	admin := newBrowser(t, app)
	admin.login("admin@example.fr", goodPassword)
	search := func(q string) string {
		t.Helper()
		res := admin.get("/journal?" + q)
		if res.StatusCode != 200 {
			t.Fatalf("search %s: %d", q, res.StatusCode)
		}
		return res.body
	}
	byZoe := search(fmt.Sprintf("enfant=%d", zoe))
	if !strings.Contains(byZoe, "sheet.download") || !strings.Contains(byZoe, "dir25@example.fr") || strings.Contains(byZoe, "pref39@example.fr") {
		t.Errorf("entries about Zoé:\n%s", byZoe)
	}
	if byNoe := search(fmt.Sprintf("enfant=%d", noe)); !strings.Contains(byNoe, "sheet.download_day") || strings.Contains(byNoe, "dir25@example.fr") {
		t.Errorf("entries about Noé:\n%s", byNoe)
	}
	if byHub := search(fmt.Sprintf("pole=%d", ids[0])); !strings.Contains(byHub, "École Jean-Macé") || strings.Contains(byHub, "pref39@example.fr") {
		t.Errorf("entries about the Doubs hub:\n%s", byHub)
	}
	if byAccount := search("compte=PREF39@example.fr&jour=" + day.Format(time.DateOnly)); !strings.Contains(byAccount, "sheet.download_day") || strings.Contains(byAccount, "dir25@example.fr") {
		t.Errorf("entries of the Jura agent that day:\n%s", byAccount)
	}
	// The export is the link on the search's page: it keeps the search.
	link := regexpFind(t, search(fmt.Sprintf("enfant=%d", zoe)), `href="(/journal\?[^"]*format=csv[^"]*)"`)
	csv := admin.get(strings.ReplaceAll(link, "&amp;", "&"))
	if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csv.body, "dir25@example.fr") || !strings.Contains(csv.body, fmt.Sprint(zoe)) ||
		strings.Contains(csv.body, "pref39@example.fr") {
		t.Errorf("CSV export: %s\n%s", csv.Header.Get("Content-Type"), csv.body)
	}
	var searches int
	if err := st.DB().Get(&searches, `SELECT count(*) FROM audit_log WHERE action = 'audit.search'`); err != nil || searches != 6 {
		t.Errorf("searches logged: %d (%v), want 6", searches, err)
	}
	for field, q := range map[string]string{"enfant": "enfant=12a", "pole": "pole=-3", "jour": "jour=04/12/2026"} {
		res := admin.get("/journal?" + q)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="`+field+`-error"`) {
			t.Errorf("%s: %d, want 422 naming %s", q, res.StatusCode, field)
		}
	}
	for _, email := range []string{"dir25@example.fr", "pref25@example.fr", "rectorat@example.fr", "p1@example.fr"} {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		if res := b.get("/journal"); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s reaches the access log: %d", email, res.StatusCode)
		}
	}
}

// TestRollCallAndLeversAreLoggedWithTheirAddress: opening the roll call (the children it lists,
// once for reloads within minutes), recording a mark and changing a capacity are in the access log with the hub, the child, the
// day and the address they came from.
func TestRollCallAndLeversAreLoggedWithTheirAddress(t *testing.T) {
	at := pgtest.Weekday()
	day := store.DefaultAllocationPolicy().Today(at)
	app, st := newAppAt(t, api.DefaultConfig(), at)
	loadAndPlace(t, st, twoDepartements(day), day)
	ids, _ := st.HubIDsByUAI(context.Background(), []string{"0250001A"})
	var zoe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	rollcall := fmt.Sprintf("/poles/%d/appel", ids[0])
	if res := dir.get(rollcall); res.StatusCode != 200 {
		t.Fatalf("roll call: %d", res.StatusCode)
	}
	if res := dir.post(rollcall, url.Values{"csrf": {dir.csrf(rollcall)}, "child": {fmt.Sprint(zoe)}, "mark": {"arrived"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark: %d", res.StatusCode)
	}
	pref := newBrowser(t, app)
	pref.login("pref25@example.fr", goodPassword)
	hub := fmt.Sprintf("/poles/%d", ids[0])
	if res := pref.post(hub+"/capacite", url.Values{"csrf": {pref.csrf(hub)}, "jour": {day.AddDate(0, 0, 7).Format(time.DateOnly)},
		"niveau": {"elementaire"}, "capacite": {"12"}, "confirmer": {"oui"}}); res.StatusCode >= 400 {
		t.Fatalf("capacity: %d", res.StatusCode)
	}
	var rows []struct {
		Action string `db:"action"`
		IP     string `db:"ip"`
		Hub    int64  `db:"hub_id"`
		Day    string `db:"day"`
		Zoe    bool   `db:"zoe"`
	}
	if err := st.DB().Select(&rows, `SELECT action, COALESCE(host(ip), '') AS ip, COALESCE(hub_id, 0) AS hub_id, COALESCE(day::text, '') AS day,
		$1::bigint = ANY(child_ids) AS zoe FROM audit_log WHERE action IN ('rollcall.view', 'attendance.mark', 'hub.capacity') ORDER BY id`, zoe); err != nil {
		t.Fatal(err)
	}
	if res := dir.get(rollcall); res.StatusCode != 200 { // reloaded after the tap
		t.Fatalf("roll call again: %d", res.StatusCode)
	}
	// The page read three times within minutes, the same children: one reading.
	want := []string{"rollcall.view", "attendance.mark", "hub.capacity"}
	if len(rows) != len(want) {
		t.Fatalf("entries: %+v, want %v", rows, want)
	}
	for i, r := range rows {
		if r.Action != want[i] || r.IP == "" || r.Hub != ids[0] || r.Day == "" || (r.Action != "hub.capacity" && !r.Zoe) {
			t.Errorf("entry %d: %+v, want %s with the address, hub, day and child", i, r, want[i])
		}
	}
}
