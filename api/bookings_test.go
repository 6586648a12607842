package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// nextWeekdays returns the first n weekdays after the tests' today, as the booking calendar
// offers them.
func nextWeekdays(n int) []time.Time {
	var out []time.Time
	d := pgtest.Today().AddDate(0, 0, 1)
	for len(out) < n {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			out = append(out, d)
		}
		d = d.AddDate(0, 0, 1)
	}
	return out
}

func bookingApp(t *testing.T) (*browser, *store.Store, []time.Time, func() *browser) {
	app, st := newApp(t)
	days := nextWeekdays(4)
	seed := twoDepartements(days[0])
	seed.OpenDays = days
	if err := st.LoadSeed(context.Background(), seed); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	return b, st, days, func() *browser { return newBrowser(t, app) }
}

func (b *browser) postBooking(body, key, csrf string) response {
	req := httptest.NewRequest(http.MethodPost, "/api/bookings", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return b.do(req)
}

func TestBookingPagesAndCancellation(t *testing.T) {
	b, st, days, _ := bookingApp(t)
	form := b.get("/reserver")
	if form.StatusCode != 200 || !strings.Contains(form.body, "Zoé") || !strings.Contains(form.body, "niveau 1") {
		t.Fatalf("booking form: %d", form.StatusCode)
	}
	key := regexpFind(t, form.body, `name="key" value="([^"]+)"`)
	var childID int64
	if err := st.DB().Get(&childID, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	post := url.Values{"csrf": {b.csrf("/reserver")}, "key": {key}, "child": {fmt.Sprint(childID)},
		"day": {days[2].Format(time.DateOnly), days[3].Format(time.DateOnly)}, "location": {"home"}, "arrive_at": {"08:15"}, "depart_at": {"17:45"}}
	res := b.post("/reserver", post)
	if res.StatusCode != 200 || !strings.Contains(res.body, "École Jean-Macé") || !strings.Contains(res.body, "Place proposée") {
		t.Fatalf("booking result: %d\n%s", res.StatusCode, res.body)
	}
	// A double click sends the same key again: same answer, nothing booked twice.
	if again := b.post("/reserver", post); again.StatusCode != 200 || !strings.Contains(again.body, "École Jean-Macé") {
		t.Errorf("double submit: %d", again.StatusCode)
	}
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM booking_request WHERE child_id = $1 AND day = ANY($2)`, childID,
		"{"+days[2].Format(time.DateOnly)+","+days[3].Format(time.DateOnly)+"}"); err != nil || n != 2 {
		t.Errorf("requests: %d (%v), want 2", n, err)
	}
	// Bad input is named and books nothing.
	for field, v := range map[string]string{"depart_at": "07:00", "day": "2020-01-01", "location": "mars"} {
		bad := url.Values{}
		for k, vs := range post {
			bad[k] = vs
		}
		bad.Set("key", "another-key-"+field)
		bad.Set(field, v)
		if res := b.post("/reserver", bad); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s=%s: %d, want 422", field, v, res.StatusCode)
		}
	}
	list := b.get("/reservations")
	rows := func(body string) int { return strings.Count(body, `<input type="hidden" name="child"`) }
	if list.StatusCode != 200 || rows(list.body) != 3 { // the seed's day plus the two booked
		t.Fatalf("my bookings: %d, %d rows", list.StatusCode, rows(list.body))
	}
	// "Annuler ce jour" first asks, naming the child and the day; nothing goes before the confirmation.
	cancel := url.Values{"csrf": {b.csrf("/reservations")}, "child": {fmt.Sprint(childID)}, "day": {days[3].Format(time.DateOnly)}}
	if res := b.post("/reservations/annuler", cancel); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "La réservation de Zoé pour le "+frontend.LongDate(frontend.French, days[3])) ||
		!strings.Contains(res.body, `name="confirmer" value="oui"`) || rows(b.get("/reservations").body) != 3 {
		t.Fatalf("cancel without confirming: %d\n%s", res.StatusCode, res.body)
	}
	cancel.Set("confirmer", "oui")
	if res := b.post("/reservations/annuler", cancel); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	if list := b.get("/reservations"); rows(list.body) != 2 {
		t.Errorf("after cancelling one day: %d days left", rows(list.body))
	}
	var mails int
	if err := st.DB().Get(&mails, `SELECT count(*) FROM outbox_email WHERE to_address = 'p1@example.fr' AND subject LIKE '%annulation%'`); err != nil || mails != 1 {
		t.Errorf("cancellation e-mails: %d (%v)", mails, err)
	}
	// Every coming day at once needs the box ticked: without it nothing goes, and the page says so.
	if res := b.post("/reservations/annuler", url.Values{"csrf": {b.csrf("/reservations")}, "all": {"true"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "Cochez la case pour confirmer") || rows(res.body) != 2 {
		t.Errorf("cancel all without confirming: %d, %d rows left", res.StatusCode, rows(res.body))
	}
	res = b.post("/reservations/annuler", url.Values{"csrf": {b.csrf("/reservations")}, "all": {"true"}, "confirmer": {"oui"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/reservations?annulees=2" {
		t.Fatalf("cancel all: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if page := b.get(res.Header.Get("Location")); !strings.Contains(page.body, "2 jour(s) annulé(s)") {
		t.Error("no message says what the cancellation did")
	}
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel all: %d", res.StatusCode)
	}
	if list := b.get("/reservations"); !strings.Contains(list.body, "Aucune réservation à venir.") {
		t.Error("bookings left after cancelling all")
	}
}

func TestBookingAPIIdempotencyAndAccess(t *testing.T) {
	b, st, days, newB := bookingApp(t)
	var mine, theirs int64
	if err := st.DB().Get(&mine, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Get(&theirs, `SELECT id FROM child WHERE first_name = 'Noé'`); err != nil {
		t.Fatal(err)
	}
	csrf := b.csrf("/")
	body := fmt.Sprintf(`{"child_ids":[%d],"days":["%s"],"location":"work","arrive_at":"08:00","depart_at":"17:00"}`, mine, days[1].Format(time.DateOnly))
	if res := b.postBooking(body, "", csrf); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no key: %d", res.StatusCode)
	}
	first := b.postBooking(body, "key-abcdefgh", csrf)
	if first.StatusCode != http.StatusCreated {
		t.Fatalf("first: %d %s", first.StatusCode, first.body)
	}
	second := b.postBooking(body, "key-abcdefgh", csrf)
	if second.StatusCode != http.StatusOK || second.Header.Get("Idempotent-Replayed") != "true" || second.body != first.body {
		t.Errorf("replay: %d %q, same body %v", second.StatusCode, second.Header.Get("Idempotent-Replayed"), second.body == first.body)
	}
	var got struct {
		Days []struct {
			Status string `json:"status"`
			Hub    string `json:"hub_name"`
		} `json:"days"`
	}
	if err := json.Unmarshal([]byte(first.body), &got); err != nil || len(got.Days) != 1 || got.Days[0].Status != "proposed" {
		t.Errorf("answer: %s", first.body)
	}
	other := strings.Replace(body, "17:00", "16:00", 1)
	if res := b.postBooking(other, "key-abcdefgh", csrf); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Idempotency-Key") {
		t.Errorf("same key, other body: %d %s", res.StatusCode, res.body)
	}
	steal := fmt.Sprintf(`{"child_ids":[%d],"days":["%s"],"location":"work","arrive_at":"08:00","depart_at":"17:00"}`, theirs, days[1].Format(time.DateOnly))
	if res := b.postBooking(steal, "key-steal-001", csrf); res.StatusCode != http.StatusNotFound {
		t.Errorf("booking another household's child: %d, want 404", res.StatusCode)
	}
	for _, bad := range []string{`{"child_ids":[],"days":[]}`, `{"child_ids":[1],"days":["demain"],"location":"home","arrive_at":"8h","depart_at":"17:00"}`, `not json`} {
		if res := b.postBooking(bad, "key-bad-"+fmt.Sprint(len(bad)), csrf); res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}
	// Another parent cannot cancel this child's day.
	p2 := newB()
	p2.login("p2@example.fr", goodPassword)
	if res := p2.post("/reservations/annuler", url.Values{"csrf": {p2.csrf("/")}, "child": {fmt.Sprint(mine)}, "day": {days[1].Format(time.DateOnly)}, "confirmer": {"oui"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another parent cancels: %d, want 404", res.StatusCode)
	}
	var active int
	if err := st.DB().Get(&active, `SELECT count(*) FROM booking_request WHERE child_id = $1 AND cancelled_at IS NULL`, mine); err != nil || active != 2 {
		t.Errorf("active requests of the child: %d (%v), want 2", active, err)
	}
}

// TestDayClosedAfterTheCalendarWasRead: the calendar is kept a moment per process; a day closed
// meanwhile is still refused, by the booking transaction, with the same field message, and
// nothing is booked.
func TestDayClosedAfterTheCalendarWasRead(t *testing.T) {
	b, st, days, _ := bookingApp(t)
	form := b.get("/reserver") // reads the calendar, which now offers days[2]
	if form.StatusCode != http.StatusOK || !strings.Contains(form.body, days[2].Format(time.DateOnly)) {
		t.Fatalf("booking form: %d", form.StatusCode)
	}
	if _, err := st.DB().Exec(`UPDATE hub_day_capacity SET capacity = 0 WHERE day = $1`, days[2].Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	var zoe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"child_ids":[%d],"days":["%s"],"location":"home","arrive_at":"08:00","depart_at":"17:00"}`, zoe, days[2].Format(time.DateOnly))
	res := b.postBooking(body, "key-closed-01", b.csrf("/"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Choisissez des jours ouverts") {
		t.Fatalf("closed day: %d %s", res.StatusCode, res.body)
	}
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM booking_request WHERE day = $1`, days[2].Format(time.DateOnly)); err != nil || n != 0 {
		t.Errorf("requests on the closed day: %d (%v), want 0", n, err)
	}
	if err := st.DB().Get(&n, `SELECT count(*) FROM idempotency_key WHERE key = 'key-closed-01'`); err != nil || n != 0 {
		t.Errorf("keys left by the refused booking: %d (%v), want 0", n, err)
	}
}

// TestJSONOfTheWrongShapeNamesTheField: a field of the wrong type, or a body that is not JSON,
// answers 422 naming the field in French and English, and books nothing.
func TestJSONOfTheWrongShapeNamesTheField(t *testing.T) {
	b, st, days, _ := bookingApp(t)
	csrf := b.csrf("/")
	day := days[0].Format(time.DateOnly)
	for _, tc := range []struct{ body, field, fr, en string }{
		{`{"child_ids":[1],"days":"` + day + `","location":"home","arrive_at":"08:00","depart_at":"17:00"}`, "days",
			"Le champ « days » doit être une liste", "The field “days” must be a list"},
		{`{"child_ids":"un","days":["` + day + `"],"location":"home","arrive_at":"08:00","depart_at":"17:00"}`, "child_ids",
			"Le champ « child_ids » doit être une liste", "The field “child_ids” must be a list"},
		{`{"child_ids":[1],"days":["` + day + `"],"location":3,"arrive_at":"08:00","depart_at":"17:00"}`, "location",
			"Le champ « location » doit être un texte (reçu : un nombre)", "The field “location” must be a string (got: number)"},
		{`{"child_ids":[1.5],"days":["` + day + `"],"location":"home","arrive_at":"08:00","depart_at":"17:00"}`, "child_ids",
			"(reçu : un nombre)", "(got: number 1.5)"},
		{`{"child_ids":[1],"days":[`, "body", "n’est pas du JSON valide", "is not valid JSON"},
	} {
		res := b.postBooking(tc.body, "key-shape-"+tc.field, csrf)
		var got struct {
			Error struct {
				Status   int               `json:"status"`
				Fields   map[string]string `json:"fields"`
				FieldsEN map[string]string `json:"fields_en"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(res.body), &got); err != nil || res.StatusCode != http.StatusUnprocessableEntity || got.Error.Status != 422 ||
			!strings.Contains(got.Error.Fields[tc.field], tc.fr) || !strings.Contains(got.Error.FieldsEN[tc.field], tc.en) {
			t.Errorf("%s: %d %s (%v)", tc.body, res.StatusCode, res.body, err)
		}
	}
	var requests int
	if err := st.DB().Get(&requests, `SELECT count(*) FROM idempotency_key`); err != nil || requests != 0 {
		t.Errorf("booking records after refused bodies: %d (%v)", requests, err)
	}
}

// Hubs host children until 18:30: from 18:00 today is over, neither offered nor taken.
func TestTodayIsNotBookableOnceItsLastArrivalHasPassed(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	today := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at      time.Time
		offered bool
	}{
		{time.Date(2026, 12, 8, 17, 59, 0, 0, paris), true},
		{time.Date(2026, 12, 8, 18, 0, 0, 0, paris), false},
		{time.Date(2026, 12, 8, 23, 0, 0, 0, paris), false},
	} {
		app, st := newAppAt(t, api.DefaultConfig(), tc.at)
		seed := twoDepartements(today)
		seed.OpenDays = []time.Time{today, today.AddDate(0, 0, 1)}
		if err := st.LoadSeed(context.Background(), seed); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, app)
		b.login("p1@example.fr", goodPassword)
		form := b.get("/reserver")
		if got := strings.Contains(form.body, `value="2026-12-08"`); got != tc.offered {
			t.Errorf("at %s: today offered %v, want %v", tc.at.Format("15:04"), got, tc.offered)
		}
		if !strings.Contains(form.body, `value="2026-12-09"`) {
			t.Errorf("at %s: tomorrow not offered", tc.at.Format("15:04"))
		}
		var child int64
		if err := st.DB().Get(&child, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf(`{"child_ids":[%d],"days":["2026-12-08"],"location":"work","arrive_at":"08:00","depart_at":"17:00"}`, child)
		res := b.postBooking(body, "key-today-"+tc.at.Format("1504"), b.csrf("/"))
		if booked := res.StatusCode == http.StatusCreated; booked != tc.offered {
			t.Errorf("at %s: booking today answered %d %s", tc.at.Format("15:04"), res.StatusCode, res.body)
		}
	}
}

// A parent whose session ends while she fills the booking form logs in again and finds her
// choices, instead of a "form expired" page that reloading cannot mend.
func TestBookingAfterTheSessionEndedComesBackToTheChoices(t *testing.T) {
	b, st, days, _ := bookingApp(t)
	var child int64
	if err := st.DB().Get(&child, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf": {b.csrf("/reserver")}, "key": {"key-expired-0001"}, "child": {fmt.Sprint(child)},
		"day": {days[1].Format(time.DateOnly), days[2].Format(time.DateOnly)}, "location": {"work"}, "arrive_at": {"09:15"}, "depart_at": {"16:45"}}
	var before int
	if err := st.DB().Get(&before, `SELECT count(*) FROM booking_request`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE session SET expires_at = $1`, st.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	res := b.post("/reserver", form)
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || loc == nil || loc.Path != "/connexion" {
		t.Fatalf("form sent after the session ended: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	var after int
	if err := st.DB().Get(&after, `SELECT count(*) FROM booking_request`); err != nil || after != before {
		t.Fatalf("booking requests %d then %d: a form sent without a session booked (%v)", before, after, err)
	}
	login := b.get(loc.RequestURI())
	if !strings.Contains(login.body, "Votre session a expiré") {
		t.Errorf("the login page does not say why:\n%s", login.body)
	}
	res = b.post(loc.RequestURI(), url.Values{"csrf": {b.csrf(loc.RequestURI())}, "email": {"p1@example.fr"}, "password": {goodPassword}})
	back := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(back, "/reserver?") {
		t.Fatalf("after logging in: %d %q", res.StatusCode, back)
	}
	page := b.get(back)
	for _, want := range []string{
		fmt.Sprintf(`value="%d" checked`, child),
		fmt.Sprintf(`value="%s" checked`, days[1].Format(time.DateOnly)),
		fmt.Sprintf(`value="%s" checked`, days[2].Format(time.DateOnly)),
		`value="work" checked`,
		`value="09:15" selected`,
		`value="16:45" selected`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the form lost %s", want)
		}
	}
	if strings.Contains(page.body, fmt.Sprintf(`value="%s" checked`, days[0].Format(time.DateOnly))) {
		t.Error("a day not chosen is ticked")
	}
}

// Two brothers and sisters booked where one seat is left: the family group can't be placed
// together, so one child gets the seat instead of both waiting, and the other's wait names the
// nearest full hub, on the answer and on the bookings page, in French and in English.
func TestFamilyGroupIsPlacedChildByChildAndTheWaitIsExplained(t *testing.T) {
	app, st := newApp(t)
	days := nextWeekdays(4)
	seed := twoDepartements(days[0])
	seed.OpenDays = days
	seed.Hubs[0].Capacity = map[store.Level]int{store.Elementaire: 1}
	leo := seed.Households[0].Children[0]
	leo.FirstName, leo.Requests = "Léo", nil
	seed.Households[0].Children[0].Requests = nil
	seed.Households[0].Children = append(seed.Households[0].Children, leo)
	if err := st.LoadSeed(context.Background(), seed); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	var kids []int64
	if err := st.DB().Select(&kids, `SELECT id FROM child WHERE first_name IN ('Zoé', 'Léo') ORDER BY id`); err != nil || len(kids) != 2 {
		t.Fatalf("children %v: %v", kids, err)
	}
	form := b.get("/reserver")
	post := url.Values{"csrf": {b.csrf("/reserver")}, "key": {regexpFind(t, form.body, `name="key" value="([^"]+)"`)},
		"child": {fmt.Sprint(kids[0]), fmt.Sprint(kids[1])}, "day": {days[2].Format(time.DateOnly)},
		"location": {"home"}, "arrive_at": {"08:15"}, "depart_at": {"17:45"}}
	res := b.post("/reserver", post)
	const why = "Les pôles à moins de 20 km sont complets, à commencer par le plus proche, École Jean-Macé"
	if res.StatusCode != 200 || !strings.Contains(res.body, "Place proposée") || !strings.Contains(res.body, why) {
		t.Fatalf("booking result: %d\n%s", res.StatusCode, res.body)
	}
	var placed, waiting int
	var reason, nearest string
	if err := st.DB().Get(&placed, `SELECT count(*) FROM placement WHERE child_id = ANY($1)`, kids); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRow(`SELECT count(*), min(w.reason::text), min(h.name) FROM waitlist_entry w JOIN hub h ON h.id = w.nearest_full_hub_id
		WHERE w.child_id = ANY($1)`, kids).Scan(&waiting, &reason, &nearest); err != nil {
		t.Fatal(err)
	}
	if placed != 1 || waiting != 1 || reason != "higher_priority" || nearest != "École Jean-Macé" {
		t.Errorf("%d placed, %d waiting (%s, nearest full hub %q)", placed, waiting, reason, nearest)
	}
	if list := b.get("/reservations"); !strings.Contains(list.body, why) {
		t.Errorf("the bookings page does not explain the wait:\n%s", list.body)
	}
}
