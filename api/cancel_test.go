package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
)

// The week of the cancellation tests: Monday 3 to Wednesday 5 March 2031, the clock on Tuesday
// at 09:10 in Paris. Monday is over; Tuesday is today.
var (
	cancelMon = time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)
	cancelTue = cancelMon.AddDate(0, 0, 1)
	cancelWed = cancelMon.AddDate(0, 0, 2)
	cancelNow = time.Date(2031, 3, 4, 8, 10, 0, 0, time.UTC)
)

// cancelApp loads twoDepartements with Zoé (p1) and Noé (p2) booked and placed Monday to
// Wednesday, and Lina (p2) booked on Wednesday only; Zoé is checked in on Tuesday by her hub's
// director, through the roll call.
func cancelApp(t *testing.T) (*store.Store, func(string) *browser, map[string]int64) {
	t.Helper()
	app, st := newAppAt(t, api.DefaultConfig(), cancelNow)
	seed := twoDepartements(cancelMon)
	seed.OpenDays = []time.Time{cancelMon, cancelTue, cancelWed}
	for h := range seed.Households {
		c := &seed.Households[h].Children[0]
		for _, d := range []time.Time{cancelTue, cancelWed} {
			r := c.Requests[0]
			r.Day = d
			c.Requests = append(c.Requests, r)
		}
	}
	lina := seed.Households[1].Children[0]
	lina.FirstName, lina.Requests = "Lina", lina.Requests[2:]
	seed.Households[1].Children = append(seed.Households[1].Children, lina)
	ctx := context.Background()
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), seed.OpenDays, false, 1, 0); err != nil {
		t.Fatal(err)
	}
	kids := map[string]int64{}
	for _, name := range []string{"Zoé", "Noé", "Lina"} {
		var id int64
		if err := st.DB().Get(&id, `SELECT id FROM child WHERE first_name = $1`, name); err != nil {
			t.Fatal(err)
		}
		kids[name] = id
	}
	var placed int
	if err := st.DB().Get(&placed, `SELECT count(*) FROM placement`); err != nil || placed != 7 {
		t.Fatalf("fixture: %d placements (%v), want 7", placed, err)
	}
	login := func(email string) *browser {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		return b
	}
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A"})
	dir := login("dir25@example.fr")
	page := fmt.Sprintf("/poles/%d/appel", ids[0])
	if res := dir.post(page, url.Values{"csrf": {dir.csrf(page)}, "child": {fmt.Sprint(kids["Zoé"])}, "mark": {"arrived"},
		"jour": {cancelTue.Format(time.DateOnly)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("check-in: %d", res.StatusCode)
	}
	return st, login, kids
}

// placedDays lists the days a child holds a seat, and the days its requests stand.
func placedDays(t *testing.T, st *store.Store, child int64) string {
	t.Helper()
	var seats, asked []string
	if err := st.DB().Select(&seats, `SELECT day::text FROM placement WHERE child_id = $1 ORDER BY day`, child); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Select(&asked, `SELECT day::text FROM booking_request WHERE child_id = $1 AND cancelled_at IS NULL ORDER BY day`, child); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("seats %v, asked %v", seats, asked)
}

// TestCancelKeepsDaysOverAndCheckedIn: a day over, or today once the child is checked in, is
// not cancelled (one day: 422 with a message; every day: skipped and said), by the store on its
// own clock; today without a mark still is.
func TestCancelKeepsDaysOverAndCheckedIn(t *testing.T) {
	st, login, kids := cancelApp(t)
	p1 := login("p1@example.fr")
	cancel := func(b *browser, child int64, day time.Time) response {
		return b.post("/reservations/annuler", url.Values{"csrf": {b.csrf("/reservations")}, "child": {fmt.Sprint(child)}, "day": {day.Format(time.DateOnly)}, "confirmer": {"oui"}})
	}
	all := "seats [2031-03-03 2031-03-04 2031-03-05], asked [2031-03-03 2031-03-04 2031-03-05]"
	for _, day := range []time.Time{cancelMon, cancelTue} {
		res := cancel(p1, kids["Zoé"], day)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Ce jour est passé ou l’enfant a déjà été accueilli : il ne peut plus être annulé.") {
			t.Errorf("cancel Zoé on %s: %d, want 422 with the reason", day.Format(time.DateOnly), res.StatusCode)
		}
	}
	if got := placedDays(t, st, kids["Zoé"]); got != all {
		t.Errorf("after refused cancellations: %s", got)
	}
	// The store refuses on its own, whoever calls it.
	var p1ID int64
	if err := st.DB().Get(&p1ID, `SELECT id FROM account WHERE email = 'p1@example.fr'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CancelBooking(context.Background(), store.DefaultAllocationPolicy(), p1ID, kids["Zoé"], cancelMon); !errors.Is(err, store.ErrDayLocked) {
		t.Errorf("store cancel of a day over: %v, want ErrDayLocked", err)
	}
	// The list says so and offers no cancel button for the day checked in.
	list := p1.get("/reservations").body
	if !strings.Contains(list, "Enfant déjà accueilli ce jour") || strings.Contains(list, `name="day" value="2031-03-04"`) || !strings.Contains(list, `name="day" value="2031-03-05"`) {
		t.Errorf("my bookings do not tell the day checked in apart:\n%s", list)
	}
	// Every coming day: Wednesday goes, Tuesday stays and the page says so.
	res := p1.post("/reservations/annuler", url.Values{"csrf": {p1.csrf("/reservations")}, "all": {"true"}, "confirmer": {"oui"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/reservations?annulees=1&conserves=1" {
		t.Fatalf("cancel all: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if body := p1.get("/reservations?conserves=1").body; !strings.Contains(body, "1 jour(s) n’ont pas été annulés") {
		t.Error("the bookings page does not say a day was kept")
	}
	if got := placedDays(t, st, kids["Zoé"]); got != "seats [2031-03-03 2031-03-04], asked [2031-03-03 2031-03-04]" {
		t.Errorf("after cancelling every coming day: %s", got)
	}
	// Today without a mark can still be cancelled; another household's child cannot.
	p2 := login("p2@example.fr")
	if res := cancel(p2, kids["Zoé"], cancelWed); res.StatusCode != http.StatusNotFound {
		t.Errorf("p2 cancels Zoé: %d, want 404", res.StatusCode)
	}
	if res := cancel(p2, kids["Noé"], cancelTue); res.StatusCode != http.StatusSeeOther {
		t.Errorf("cancel today without a mark: %d, want 303", res.StatusCode)
	}
	if got := placedDays(t, st, kids["Noé"]); got != "seats [2031-03-03 2031-03-05], asked [2031-03-03 2031-03-05]" {
		t.Errorf("Noé after cancelling today: %s", got)
	}
}

// TestContactListKeepsChildCheckedIn: check-in, an attempt to cancel that day, and the contact
// list of that day still holds the child.
func TestContactListKeepsChildCheckedIn(t *testing.T) {
	st, login, kids := cancelApp(t)
	p1 := login("p1@example.fr")
	p1.post("/reservations/annuler", url.Values{"csrf": {p1.csrf("/reservations")}, "child": {fmt.Sprint(kids["Zoé"])}, "day": {cancelTue.Format(time.DateOnly)}, "confirmer": {"oui"}})
	p1.post("/reservations/annuler", url.Values{"csrf": {p1.csrf("/reservations")}, "all": {"true"}, "confirmer": {"oui"}})
	if res := p1.post(fmt.Sprintf("/enfants/%d/supprimer", kids["Zoé"]), url.Values{"csrf": {p1.csrf("/reservations")}, "confirmer": {"oui"}}); res.StatusCode == http.StatusSeeOther {
		t.Error("a child checked in was removed")
	}
	path := fmt.Sprintf("/contacts?enfant=%d&du=%s&au=%s&format=csv", kids["Zoé"], cancelMon.Format(time.DateOnly), cancelWed.Format(time.DateOnly))
	res := login("pref25@example.fr").get(path)
	if res.StatusCode != 200 {
		t.Fatalf("contact list: %d", res.StatusCode)
	}
	for _, day := range []string{"2031-03-03", "2031-03-04"} {
		if !strings.Contains(res.body, day+";École Jean-Macé;0250001A;Directrice Doubs;Élémentaire · 1 enfant;Dupré;Zoé;") {
			t.Errorf("the contact list lacks Zoé on %s:\n%s", day, res.body)
		}
	}
	if got := placedDays(t, st, kids["Zoé"]); !strings.HasPrefix(got, "seats [2031-03-03 2031-03-04]") {
		t.Errorf("Zoé's seats: %s", got)
	}
}

// TestRemoveChildKeepsHostedChildren: a child hosted on a day over, or checked in today, is not
// removed (409, with what to do instead); a child booked only on coming days is; another
// household gets 404.
func TestRemoveChildKeepsHostedChildren(t *testing.T) {
	st, login, kids := cancelApp(t)
	p1, p2 := login("p1@example.fr"), login("p2@example.fr")
	remove := func(b *browser, child int64) response {
		return b.post(fmt.Sprintf("/enfants/%d/supprimer", child), url.Values{"csrf": {b.csrf("/reservations")}, "confirmer": {"oui"}})
	}
	if res := remove(p2, kids["Zoé"]); res.StatusCode != http.StatusNotFound {
		t.Errorf("p2 removes Zoé: %d, want 404", res.StatusCode)
	}
	for name, b := range map[string]*browser{"Zoé": p1, "Noé": p2} { // checked in today; placed on Monday
		res := remove(b, kids[name])
		if res.StatusCode != http.StatusConflict || !strings.Contains(res.body, "Cet enfant a déjà été accueilli") {
			t.Errorf("remove %s: %d, want 409 with the reason", name, res.StatusCode)
		}
	}
	if res := remove(p2, kids["Lina"]); res.StatusCode != http.StatusSeeOther {
		t.Errorf("remove Lina, booked on Wednesday only: %d, want 303", res.StatusCode)
	}
	var left []string
	if err := st.DB().Select(&left, `SELECT first_name FROM child ORDER BY first_name`); err != nil || strings.Join(left, ",") != "Noé,Zoé" {
		t.Errorf("children left: %v (%v), want Noé and Zoé", left, err)
	}
}
