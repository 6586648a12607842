package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

func (b *browser) postJSON(path, body, csrf string) response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	return b.do(req)
}

func TestRectoratRunsTheAllocatorByHand(t *testing.T) {
	app, st := newApp(t)
	day := time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)
	if err := st.LoadSeed(context.Background(), twoDepartements(day)); err != nil {
		t.Fatal(err)
	}
	body := `{"from": "2031-03-03", "to": "2031-03-07", "seed": 99}`
	rectorat := newBrowser(t, app)
	rectorat.login("rectorat@example.fr", goodPassword)
	csrf := rectorat.csrf("/")
	if res := rectorat.postJSON("/api/allocation-runs", body, ""); res.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF header: %d, want 403", res.StatusCode)
	}
	res := rectorat.postJSON("/api/allocation-runs", body, csrf)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("run: %d %s", res.StatusCode, res.body)
	}
	var run struct {
		ID     int64 `json:"id"`
		Seed   int64 `json:"seed"`
		Report struct {
			ChildDaysPlaced    int `json:"child_days_placed"`
			PriorityInversions int `json:"priority_inversions"`
		} `json:"report"`
	}
	if err := json.Unmarshal([]byte(res.body), &run); err != nil {
		t.Fatal(err)
	}
	if run.ID == 0 || run.Seed != 99 || run.Report.ChildDaysPlaced != 2 {
		t.Fatalf("run %+v from %s", run, res.body)
	}
	var placed int
	if err := st.DB().Get(&placed, `SELECT count(*) FROM placement`); err != nil || placed != 2 {
		t.Errorf("placements in the database: %d (%v), want 2", placed, err)
	}
	if got := rectorat.get("/api/allocation-runs/" + itoa(run.ID)); got.StatusCode != http.StatusOK || !strings.Contains(got.body, `"seed":99`) {
		t.Errorf("reading the run back: %d %s", got.StatusCode, got.body)
	}
	if got := rectorat.get("/api/allocation-runs/999999"); got.StatusCode != http.StatusNotFound {
		t.Errorf("unknown run: %d", got.StatusCode)
	}
	// Bad input names the field and changes nothing.
	bad := rectorat.postJSON("/api/allocation-runs", `{"from": "03/03/2031"}`, csrf)
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `"from":"Saisissez une date au format AAAA-MM-JJ."`) {
		t.Errorf("bad date: %d %s", bad.StatusCode, bad.body)
	}
	if bad := rectorat.postJSON("/api/allocation-runs", `{"from": "2031-03-07", "to": "2031-03-03"}`, csrf); bad.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("reversed period: %d", bad.StatusCode)
	}
	// Nobody else may run it or read it.
	for _, email := range []string{"pref25@example.fr", "dir25@example.fr", "p1@example.fr"} {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		if res := b.postJSON("/api/allocation-runs", body, b.csrf("/")); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s runs the allocator: %d, want 404", email, res.StatusCode)
		}
		if res := b.get("/api/allocation-runs/" + itoa(run.ID)); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s reads a run: %d, want 404", email, res.StatusCode)
		}
	}
	anon := newBrowser(t, app)
	if res := anon.get("/api/allocation-runs/" + itoa(run.ID)); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("visitor reads a run: %d, want 401", res.StatusCode)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestAllocationPage(t *testing.T) {
	app, st := newApp(t)
	day := nextWeekdays(2)[1] // before its cutoff at every clock of the tests (16:01 included)
	if err := st.LoadSeed(context.Background(), twoDepartements(day)); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("rectorat@example.fr", goodPassword)
	d := day.Format(time.DateOnly)
	runs := func() int {
		var n int
		if err := st.DB().Get(&n, `SELECT count(*) FROM allocation_run`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Reversed dates: the form again, the field named, nothing run.
	if res := b.post("/attribution", url.Values{"csrf": {b.csrf("/attribution")}, "from": {d}, "to": {day.AddDate(0, 0, -1).Format(time.DateOnly)}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `id="to-error">La date de fin doit être le même jour ou après la date de début.`) || runs() != 0 {
		t.Errorf("reversed dates: %d, %d runs\n%s", res.StatusCode, runs(), res.body)
	}
	res := b.post("/attribution", url.Values{"csrf": {b.csrf("/attribution")}, "from": {d}, "to": {d}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: %d", res.StatusCode)
	}
	if page := b.get(res.Header.Get("Location")); !strings.Contains(page.body, "<td>Lancé à la main</td>") || !strings.Contains(page.body, "<td>2 / 0</td>") ||
		!strings.Contains(page.body, "2 enfant(s)-jour(s) placés, 0 en liste d’attente, 2 famille(s) prévenues.") || strings.Contains(page.body, "Graine") {
		t.Errorf("the run's report or notice is not shown in words:\n%s", page.body)
	}
	// A rebalance first says how many families it would tell, and runs only once confirmed.
	res = b.post("/attribution", url.Values{"csrf": {b.csrf("/attribution")}, "from": {d}, "to": {d}, "rebalance": {"true"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "0 famille(s) seront prévenues par e-mail") || runs() != 1 {
		t.Errorf("rebalance preview: %d, %d runs", res.StatusCode, runs())
	}
	res = b.post("/attribution", url.Values{"csrf": {b.csrf("/attribution")}, "from": {d}, "to": {d}, "rebalance": {"true"}, "graine": {"7"}, "confirmer": {"oui"}})
	if res.StatusCode != http.StatusSeeOther || runs() != 2 {
		t.Errorf("rebalance confirmed: %d, %d runs", res.StatusCode, runs())
	}
	// "Lancer" on a day confirmed already says so rather than nothing.
	if _, _, err := st.ConfirmDay(context.Background(), store.DefaultAllocationPolicy(), day, 1, 0); err != nil {
		t.Fatal(err)
	}
	res = b.post("/attribution", url.Values{"csrf": {b.csrf("/attribution")}, "from": {d}, "to": {d}})
	if page := b.get(res.Header.Get("Location")); !strings.Contains(page.body, "Rien à attribuer") || !strings.Contains(page.body, "Ces jours sont déjà confirmés") {
		t.Errorf("Lancer on a confirmed day: %s", res.Header.Get("Location"))
	}
	pref := newBrowser(t, app)
	pref.login("pref25@example.fr", goodPassword)
	if res := pref.get("/attribution"); res.StatusCode != http.StatusNotFound {
		t.Errorf("prefecture: %d, want 404", res.StatusCode)
	}
}
