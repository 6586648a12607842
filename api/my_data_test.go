package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// TestMyDataShowsEverythingHeldAndOnlyTheParentsOwn: "Mes données" lists the household, the
// children with their health note and pick-up persons, the booked days with their hub, the
// e-mails and the accesses; the JSON download says the same; another parent sees only their
// own; staff get no such page; every reading is audited.
func TestMyDataShowsEverythingHeldAndOnlyTheParentsOwn(t *testing.T) {
	b, st, days, other := bookingApp(t)
	if _, err := st.AllocateDays(context.Background(), store.DefaultAllocationPolicy(), days[:1], false, 1, 0); err != nil {
		t.Fatal(err)
	}
	if res := b.post("/enfants", childForm(b.csrf("/enfants/nouveau"))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new child: %d\n%s", res.StatusCode, res.body)
	}
	// The director reads the sheet Zoé is on: the family sees that it was read, and by whom.
	dir := other()
	dir.login("dir25@example.fr", goodPassword)
	hubs, _ := st.HubIDsByUAI(context.Background(), []string{"0250001A"})
	if res := dir.get(fmt.Sprintf("/poles/%d/feuille?jour=%s&format=csv", hubs[0], days[0].Format(time.DateOnly))); res.StatusCode != 200 {
		t.Fatalf("director's sheet: %d", res.StatusCode)
	}
	if home := b.get("/"); !strings.Contains(home.body, `href="/mes-donnees"`) {
		t.Error("the parent's home has no link to Mes données")
	}
	page := b.get("/mes-donnees")
	for _, want := range []string{"p1@example.fr", "Inès", "0611223344", "Zoé", "Éloïse", "Allergie aux arachides", "École Jean-Macé", `href="/mes-donnees?format=json"`, `href="/foyer"`,
		"Feuille d’appel d’un pôle consultée (Par : Directeur ou directrice de pôle)"} {
		if page.StatusCode != 200 || !strings.Contains(page.body, want) {
			t.Errorf("Mes données (%d) lacks %q", page.StatusCode, want)
		}
	}
	res := b.get("/mes-donnees?format=json")
	if !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("JSON download headers: %v", res.Header)
	}
	var held struct {
		Account struct {
			Email string `json:"email"`
		} `json:"account"`
		Household struct {
			Parents []struct {
				Phone string `json:"phone"`
			} `json:"parents"`
		} `json:"household"`
		Children []struct {
			FirstName  string `json:"first_name"`
			HealthNote string `json:"health_note"`
		} `json:"children"`
		Days []struct {
			Child  string `json:"child"`
			Status string `json:"status"`
			Hub    string `json:"hub"`
		} `json:"days"`
		Accesses []struct {
			Action string `json:"action"`
		} `json:"accesses"`
	}
	if err := json.Unmarshal([]byte(res.body), &held); err != nil {
		t.Fatalf("JSON download: %v\n%s", err, res.body)
	}
	if held.Account.Email != "p1@example.fr" || len(held.Household.Parents) != 1 || len(held.Children) != 2 || len(held.Days) == 0 ||
		held.Days[0].Child != "Zoé" || held.Days[0].Hub != "École Jean-Macé" || len(held.Accesses) == 0 {
		t.Errorf("JSON download: %+v", held)
	}
	var note bool
	for _, c := range held.Children {
		note = note || strings.Contains(c.HealthNote, "Allergie aux arachides")
	}
	if !note {
		t.Error("the JSON download lacks the health note")
	}
	// Another household sees its own data, nothing of the first.
	p2 := other()
	p2.login("p2@example.fr", goodPassword)
	if mine := p2.get("/mes-donnees"); mine.StatusCode != 200 || !strings.Contains(mine.body, "Noé") || strings.Contains(mine.body, "Zoé") || strings.Contains(mine.body, "p1@example.fr") {
		t.Errorf("the second parent's data page (%d) shows the first household", mine.StatusCode)
	}
	for _, email := range []string{"dir25@example.fr", "pref25@example.fr", "rectorat@example.fr"} {
		staff := other()
		staff.login(email, goodPassword)
		if res := staff.get("/mes-donnees"); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", email, res.StatusCode)
		}
	}
	var audited int
	if err := st.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'account.data_access'`); err != nil || audited != 3 {
		t.Errorf("data accesses audited: %d (%v), want 3", audited, err)
	}
}

// TestParentErasesTheAccount: erasing asks for the password again; once done the household,
// its children, health notes, requests and seats are gone, the seats are free again, the session
// ends, one e-mail says so, the other household is untouched, and the erasure is logged.
func TestParentErasesTheAccount(t *testing.T) {
	b, st, days, other := bookingApp(t)
	ctx := context.Background()
	if _, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), days[:1], false, 1, 0); err != nil {
		t.Fatal(err)
	}
	if res := b.post("/enfants", childForm(b.csrf("/enfants/nouveau"))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new child: %d", res.StatusCode)
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := st.DB().Get(&n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	placedBefore := count(`SELECT COALESCE(sum(placed), 0) FROM hub_day_capacity`)
	if placedBefore == 0 || count(`SELECT count(*) FROM child_health_note`) == 0 {
		t.Fatal("nothing placed or no health note to erase")
	}
	csrf := b.csrf("/mes-donnees")
	if res := b.post("/mes-donnees/effacer", url.Values{"csrf": {csrf}, "password": {"not the password at all"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "rien n’a été effacé") {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	if count(`SELECT count(*) FROM account WHERE email = 'p1@example.fr'`) != 1 {
		t.Fatal("a wrong password erased the account")
	}
	if count(`SELECT count(*) FROM audit_log WHERE action = 'account.data_access'`) != 2 { // the form, then the refusal
		t.Error("the page shown again after a wrong password was not logged as a reading")
	}
	res := b.post("/mes-donnees/effacer", url.Values{"csrf": {csrf}, "password": {goodPassword}})
	if res.StatusCode != 200 || !strings.Contains(res.body, "ont été effacés") {
		t.Fatalf("erase: %d\n%s", res.StatusCode, res.body)
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM account WHERE email = 'p1@example.fr'`:                                           0,
		`SELECT count(*) FROM household h JOIN parent p ON p.household_id = h.id WHERE p.phone = '0611223344'`: 0,
		`SELECT count(*) FROM child WHERE first_name IN ('Zoé', 'Éloïse')`:                                     0,
		`SELECT count(*) FROM child_health_note`:                                                               0,
		`SELECT COALESCE(sum(placed), 0) FROM hub_day_capacity`:                                                placedBefore - 1,
		`SELECT count(*) FROM outbox_email WHERE to_address = 'p1@example.fr'`:                                 1,
		`SELECT count(*) FROM outbox_email WHERE to_address = 'p1@example.fr' AND subject LIKE '%effacé%'`:     1,
		`SELECT count(*) FROM audit_log WHERE action = 'account.erase'`:                                        1,
		`SELECT count(*) FROM child WHERE first_name = 'Noé'`:                                                  1,
	} {
		if got := count(q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	if res := b.get("/mes-donnees"); res.StatusCode == 200 {
		t.Error("the erased account's session still works")
	}
	if p2 := other(); true {
		p2.login("p2@example.fr", goodPassword)
		if res := p2.get("/mes-donnees"); res.StatusCode != 200 || !strings.Contains(res.body, "Noé") {
			t.Errorf("the other household after the erasure: %d", res.StatusCode)
		}
	}
}
