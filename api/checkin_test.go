package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func TestRollCall(t *testing.T) {
	// Wednesday 5 March 2031, 09:10 in Paris.
	now := time.Date(2031, 3, 5, 8, 10, 0, 0, time.UTC)
	today := time.Date(2031, 3, 5, 0, 0, 0, 0, time.UTC)
	st := pgtest.NewStore(t).WithClock(func() time.Time { return now })
	app, err := api.New(api.DefaultConfig(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seed := twoDepartements(today)
	seed.OpenDays = []time.Time{today.AddDate(0, 0, -1), today}
	seed.Households[0].Children[0].Requests = append(seed.Households[0].Children[0].Requests,
		store.SeedRequest{Day: today.AddDate(0, 0, -1), Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00", RequestedAt: today.AddDate(0, 0, -3)})
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), seed.OpenDays, false, 1, 0); err != nil {
		t.Fatal(err)
	}
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A"})
	var zoe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/poles/%d/appel", ids[0])
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	res := dir.get(page)
	if res.StatusCode != 200 || !strings.Contains(res.body, "Dupré Zoé") || !strings.Contains(res.body, "0 présents sur 1 attendus") {
		t.Fatalf("roll call: %d\n%s", res.StatusCode, res.body)
	}
	mark := func(b *browser, m, day, at string) response {
		return b.post(page, url.Values{"csrf": {b.csrf(page)}, "child": {fmt.Sprint(zoe)}, "mark": {m}, "jour": {day}, "at": {at}})
	}
	d := today.Format(time.DateOnly)
	if res := mark(dir, "arrived", d, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("arrival: %d %s", res.StatusCode, res.body)
	}
	if res := mark(dir, "proof", d, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("proof: %d", res.StatusCode)
	}
	if res := dir.get(page); !strings.Contains(res.body, "Présent 09:10") || !strings.Contains(res.body, "1 présents sur 1 attendus") || strings.Contains(res.body, "justificatif employeur à vérifier") {
		t.Errorf("after the arrival and the proof:\n%s", res.body)
	}
	var status, by string
	if err := st.DB().QueryRow(`SELECT a.status, acc.email FROM attendance a JOIN account acc ON acc.id = a.recorded_by WHERE a.child_id = $1 AND a.day = $2`, zoe, d).Scan(&status, &by); err != nil || status != "present" || by != "dir25@example.fr" {
		t.Errorf("attendance row: %s by %s (%v)", status, by, err)
	}
	// The hub's occupancy shows the realised attendance next to the seats taken.
	if res := dir.get(fmt.Sprintf("/poles/%d", ids[0])); !strings.Contains(res.body, "<td>1</td><td>1</td><td>30</td>") {
		t.Errorf("hub page does not show 1 placed, 1 present, 30 seats")
	}
	// Yesterday's paper sheet can be entered, with its times; not the day before.
	y := today.AddDate(0, 0, -1).Format(time.DateOnly)
	if res := mark(dir, "arrived", y, "08:05"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("yesterday's arrival: %d", res.StatusCode)
	}
	if res := mark(dir, "departed", y, "07:00"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("departure before arrival: %d, want 422", res.StatusCode)
	}
	if res := mark(dir, "arrived", today.AddDate(0, 0, -2).Format(time.DateOnly), "08:00"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("two days back: %d, want 422", res.StatusCode)
	}
	// A child booked today in the Jura, 45 km away, is neither found nor taken in (TestTakeIn
	// has the children in reach).
	var noe int64
	if err := st.DB().Get(&noe, `SELECT id FROM child WHERE first_name = 'Noé'`); err != nil {
		t.Fatal(err)
	}
	if res := dir.get(page + "?nom=Ngu"); strings.Contains(res.body, "Noé") {
		t.Errorf("the search finds a child of another département, 45 km away")
	}
	take := fmt.Sprintf("/poles/%d/accueillir", ids[0])
	if res := dir.post(take, url.Values{"csrf": {dir.csrf(page)}, "child": {fmt.Sprint(noe)}, "jour": {d}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("take in a child 45 km away: %d, want 404", res.StatusCode)
	}
	if res := dir.get(page); strings.Contains(res.body, "Nguyen Noé") {
		t.Error("the child out of reach is on the list")
	}
	// Another hub's director and another département's agent reach nothing.
	for _, email := range []string{"dir39@example.fr", "pref39@example.fr"} {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		if res := b.get(page); res.StatusCode != 404 {
			t.Errorf("%s GET roll call: %d", email, res.StatusCode)
		}
		if res := mark(b, "absent", d, ""); res.StatusCode != 404 {
			t.Errorf("%s marks a child: %d", email, res.StatusCode)
		}
	}
	if err := st.DB().Get(&status, `SELECT status FROM attendance WHERE child_id = $1 AND day = $2`, zoe, d); err != nil || status != "present" {
		t.Errorf("after the others' attempts: %s (%v)", status, err)
	}
}
