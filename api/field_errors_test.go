package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// A director never reaches the levers (capacity, closing, reopening), even on their own hub:
// the routes refuse the role, the handlers no longer check it, and nothing changes.
func TestLeversRefusedToDirectorsByTheirRoutes(t *testing.T) {
	app, st := newApp(t)
	day := nextWeekdays(1)[0]
	loadAndPlace(t, st, twoDepartements(day), day)
	ids, err := st.HubIDsByUAI(t.Context(), []string{"0250001A"})
	if err != nil {
		t.Fatal(err)
	}
	d, own := day.Format(time.DateOnly), fmt.Sprintf("/poles/%d", ids[0])
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	if res := dir.get(own); res.StatusCode != http.StatusOK {
		t.Fatalf("the director's own hub: %d", res.StatusCode)
	}
	before := fingerprintOf(t, st)
	csrf := dir.csrf("/")
	for _, path := range []string{"/capacite?jour=" + d + "&niveau=elementaire&capacite=0", "/fermer?jour=" + d, "/rouvrir"} {
		if res := dir.get(own + path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s as the hub's director: %d, want 404", path, res.StatusCode)
		}
	}
	for path, form := range map[string]url.Values{
		"/capacite": {"jour": {d}, "niveau": {"elementaire"}, "capacite": {"0"}, "confirmer": {"oui"}},
		"/fermer":   {"jour": {d}, "confirmer": {"oui"}},
		"/rouvrir":  {"confirmer": {"oui"}},
	} {
		form.Set("csrf", csrf)
		if res := dir.post(own+path, form); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s as the hub's director: %d, want 404", path, res.StatusCode)
		}
	}
	if fingerprintOf(t, st) != before {
		t.Error("a director's lever changed the hubs or the placements")
	}
}

func fingerprintOf(t *testing.T, st *store.Store) string {
	t.Helper()
	var f string
	if err := st.DB().Get(&f, tenantFingerprint); err != nil {
		t.Fatal(err)
	}
	return f
}

// Fields refused go through the one error table: 422, the request ID, and a message per field
// in French and English naming it; on a page as in JSON; nothing changes.
func TestFieldErrorsGoThroughTheErrorTable(t *testing.T) {
	b, st, days, _ := bookingApp(t)
	var zoe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	pref := newBrowser(t, b.app)
	pref.login("pref25@example.fr", goodPassword)
	before := fingerprintOf(t, st)
	body := fmt.Sprintf(`{"child_ids":[%d],"days":["%s"],"location":"home","arrive_at":"19:00","depart_at":"17:00"}`, zoe, days[0].AddDate(0, 0, -7).Format(time.DateOnly))
	res := b.postBooking(body, "key-fields-0001", b.csrf("/"))
	var got struct {
		Error struct {
			Status    int
			Message   string
			MessageEN string `json:"message_en"`
			RequestID string `json:"request_id"`
			Fields    map[string]string
			FieldsEN  map[string]string `json:"fields_en"`
		}
	}
	if err := json.Unmarshal([]byte(res.body), &got); err != nil || res.StatusCode != http.StatusUnprocessableEntity || got.Error.Status != 422 || got.Error.RequestID == "" {
		t.Fatalf("booking with two bad fields: %d %s (%v)", res.StatusCode, res.body, err)
	}
	for _, f := range []string{"depart_at", "days"} {
		if got.Error.Fields[f] == "" || got.Error.FieldsEN[f] == "" || !strings.Contains(got.Error.Message, f) || !strings.Contains(got.Error.MessageEN, f) {
			t.Errorf("field %s not named in both languages: %+v", f, got.Error)
		}
	}

	ids, err := st.HubIDsByUAI(t.Context(), []string{"0250001A"})
	if err != nil {
		t.Fatal(err)
	}
	page := pref.post(fmt.Sprintf("/poles/%d/capacite", ids[0]), url.Values{"csrf": {pref.csrf("/")}, "jour": {days[0].Format(time.DateOnly)},
		"niveau": {"elementaire"}, "capacite": {"beaucoup"}, "confirmer": {"oui"}})
	if page.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page.body, "« capacite » : La capacité doit être un nombre entier de 0 à 500.") {
		t.Errorf("capacity not a number: %d\n%s", page.StatusCode, page.body)
	}
	if fingerprintOf(t, st) != before {
		t.Error("a request refused for its fields changed something")
	}
}
