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
	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/accueil-prioritaire/accueil/store"
)

// takeInDay is the day of the take-in tests: Thursday 6 March 2031, 09:10 in Paris.
var (
	takeInNow = time.Date(2031, 3, 6, 8, 10, 0, 0, time.UTC)
	takeInDay = time.Date(2031, 3, 6, 0, 0, 0, 0, time.UTC)
)

// takeInSeed is twoDepartements on takeInDay with a hub in Saint-Vit (17 km from the Besançon
// hub, maternelle and élémentaire) run by dir25b, and children around Besançon: Léa Martin
// (Saint-Vit, with a health note and a pick-up person), Lou Martinez (maternelle, which the
// Besançon hub does not take), Tom Marchal (Besançon) and Jade Martel (lives in Dole, booked
// near her work in Besançon). Noé Nguyen lives in Dole, 45 km away.
func takeInSeed() store.Seed {
	seed := twoDepartements(takeInDay)
	seed.Communes = append(seed.Communes, geo.Commune{InseeCode: "25527", Name: "Saint-Vit", Departement: "25", Population: 5000,
		PostalCode: "25410", Point: geo.Point{Lat: 47.1833, Lon: 5.8167}})
	seed.Hubs = append(seed.Hubs, store.SeedHub{UAI: "0250003C", Name: "École du Centre", Address: "3 place de la Mairie",
		CommuneCode: "25527", Point: geo.Point{Lat: 47.183, Lon: 5.817}, Capacity: map[store.Level]int{store.Maternelle: 10, store.Elementaire: 10}})
	seed.Accounts = append(seed.Accounts,
		store.SeedAccount{Email: "dir25b@example.fr", Password: goodPassword, Role: store.RoleDirector, DisplayName: "Directeur Saint-Vit", HubUAIs: []string{"0250003C"}},
		store.SeedAccount{Email: "p3@example.fr", Password: goodPassword, Role: store.RoleParent},
		store.SeedAccount{Email: "p4@example.fr", Password: goodPassword, Role: store.RoleParent},
		store.SeedAccount{Email: "p5@example.fr", Password: goodPassword, Role: store.RoleParent},
		store.SeedAccount{Email: "p6@example.fr", Password: goodPassword, Role: store.RoleParent})
	child := func(first, last string, level store.Level, where store.Location) store.SeedChild {
		birth := time.Date(2022, 5, 1, 0, 0, 0, 0, time.UTC)
		if level == store.Elementaire {
			birth = time.Date(2022-5, 5, 1, 0, 0, 0, 0, time.UTC)
		}
		return store.SeedChild{FirstName: first, LastName: last, BirthDate: birth, Level: level,
			Requests: []store.SeedRequest{{Day: takeInDay, Location: where, ArriveAt: "08:00", DepartAt: "17:00", RequestedAt: takeInDay.AddDate(0, 0, -1)}}}
	}
	household := func(email, home, work, parent string, c store.SeedChild) store.SeedHousehold {
		return store.SeedHousehold{AccountEmail: email, HomeCommune: home, WorkCommune: work, SwornAt: takeInDay.AddDate(0, 0, -2),
			Parents:  []store.SeedParent{{FirstName: parent, LastName: c.LastName, Phone: "0612345678", ProfessionCode: "medecin"}},
			Children: []store.SeedChild{c}}
	}
	lea := child("Léa", "Martin", store.Elementaire, store.NearHome)
	lea.HealthNote = "Asthme sévère"
	lea.Pickups = []store.SeedPickup{{Name: "Paul Martin", Phone: "0699887766", Relation: "oncle"}}
	seed.Households = append(seed.Households,
		household("p3@example.fr", "25527", "25527", "Anne", lea),
		household("p4@example.fr", "25056", "25056", "Marc", child("Lou", "Martinez", store.Maternelle, store.NearHome)),
		household("p5@example.fr", "25056", "25056", "Rose", child("Tom", "Marchal", store.Elementaire, store.NearHome)),
		household("p6@example.fr", "39198", "25056", "Yann", child("Jade", "Martel", store.Elementaire, store.NearWork)))
	return seed
}

// takeInApp loads takeInSeed and places the day as the allocator would, then puts Tom on the
// waitlist and Jade in Saint-Vit, so that the Besançon hub has children placed elsewhere and
// waiting to take in.
func takeInApp(t *testing.T) (*browser, func(string) *browser, *store.Store, map[string]int64, map[string]int64) {
	t.Helper()
	app, st := newAppAt(t, api.DefaultConfig(), takeInNow)
	loadAndPlace(t, st, takeInSeed(), takeInDay)
	ctx := context.Background()
	hubs := map[string]int64{}
	for _, uai := range []string{"0250001A", "0390002B", "0250003C"} {
		ids, err := st.HubIDsByUAI(ctx, []string{uai})
		if err != nil || len(ids) != 1 {
			t.Fatalf("hub %s: %v %v", uai, ids, err)
		}
		hubs[uai] = ids[0]
	}
	kids := map[string]int64{}
	for _, name := range []string{"Zoé", "Noé", "Léa", "Lou", "Tom", "Jade"} {
		var id int64
		if err := st.DB().Get(&id, `SELECT id FROM child WHERE first_name = $1`, name); err != nil {
			t.Fatal(err)
		}
		kids[name] = id
	}
	d := takeInDay.Format(time.DateOnly)
	for _, q := range []string{
		fmt.Sprintf(`DELETE FROM placement WHERE child_id = %d`, kids["Tom"]),
		fmt.Sprintf(`INSERT INTO waitlist_entry (child_id, day, reason) VALUES (%d, '%s', 'hubs_full')`, kids["Tom"], d),
		fmt.Sprintf(`UPDATE placement SET hub_id = %d WHERE child_id = %d`, hubs["0250003C"], kids["Jade"]),
	} {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var where []struct {
		Name string `db:"first_name"`
		UAI  string `db:"uai"`
	}
	if err := st.DB().Select(&where, `SELECT c.first_name, h.uai FROM placement p JOIN child c ON c.id = p.child_id JOIN hub h ON h.id = p.hub_id ORDER BY c.first_name`); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(where); got != "[{Jade 0250003C} {Lou 0250003C} {Léa 0250003C} {Noé 0390002B} {Zoé 0250001A}]" {
		t.Fatalf("fixture placements: %s", got)
	}
	login := func(email string) *browser {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		return b
	}
	return login("dir25@example.fr"), login, st, hubs, kids
}

// TestTakeInSearchShowsOnlyChildrenInReach: the roll call's search of the Besançon hub finds
// the children booked that day within 20 km at a level the hub takes, and shows of them only
// the first name, the initial, the level and where they are.
func TestTakeInSearchShowsOnlyChildrenInReach(t *testing.T) {
	dir, login, _, hubs, _ := takeInApp(t)
	page := fmt.Sprintf("/poles/%d/appel", hubs["0250001A"])
	body := dir.get(page + "?nom=Mar").body
	// Lou is in maternelle, which the hub does not take: shown so, to send the family elsewhere.
	for _, want := range []string{"Léa M.", "École du Centre", "Tom M.", "Liste d’attente", "Jade M.", "moins de 20 km", "Lou M.", "niveau non accueilli ici"} {
		if !strings.Contains(body, want) {
			t.Errorf("the search lacks %q", want)
		}
	}
	if n := strings.Count(body, "niveau non accueilli ici aujourd’hui"); n != 1 {
		t.Errorf("%d children shown at a level the hub does not take, want 1 (Lou)", n)
	}
	// Nothing beyond the initial shows.
	for _, never := range []string{"Martin", "Martinez", "Marchal", "Martel", "Asthme", "Paul", "0699887766", "06 99", "0612345678"} {
		if strings.Contains(body, never) {
			t.Errorf("the search shows %q", never)
		}
	}
	// Noé lives and is booked in Dole, 45 km away.
	if body := dir.get(page + "?nom=Ngu").body; strings.Contains(body, "Noé") {
		t.Error("the search finds a child 45 km away")
	}
	// Another day's roll call searches nobody: a take-in is for today.
	if body := dir.get(page + "?nom=Mar&jour=" + takeInDay.AddDate(0, 0, -1).Format(time.DateOnly)).body; strings.Contains(body, "Léa") {
		t.Error("yesterday's roll call searches children")
	}
	// The Dole director searches nobody of the Doubs: all too far.
	dole := fmt.Sprintf("/poles/%d/appel?nom=Mar", hubs["0390002B"])
	if body := login("dir39@example.fr").get(dole).body; strings.Contains(body, "Léa") || strings.Contains(body, "Tom") {
		t.Error("the Dole director finds children of Besançon")
	}
}

// TestTakeIn: a child the search shows is taken in (a seat moved, or given from the waitlist),
// the family e-mailed, the take-in audited; any other child is 404 and nothing changes.
func TestTakeIn(t *testing.T) {
	dir, login, st, hubs, kids := takeInApp(t)
	besancon := hubs["0250001A"]
	page := fmt.Sprintf("/poles/%d/appel", besancon)
	take := func(b *browser, hub, child int64, day time.Time) response {
		return b.post(fmt.Sprintf("/poles/%d/accueillir", hub), url.Values{"csrf": {b.csrf("/")},
			"child": {fmt.Sprint(child)}, "jour": {day.Format(time.DateOnly)}})
	}
	hubOf := func(child int64) string {
		var uai string
		if err := st.DB().Get(&uai, `SELECT COALESCE((SELECT h.uai FROM placement p JOIN hub h ON h.id = p.hub_id WHERE p.child_id = $1), 'none')`, child); err != nil {
			t.Fatal(err)
		}
		return uai
	}
	// Out of reach (45 km), already here, not a child: 404.
	for name, child := range map[string]int64{"Noé": kids["Noé"], "Zoé": kids["Zoé"], "nobody": 999999} {
		if res := take(dir, besancon, child, takeInDay); res.StatusCode != http.StatusNotFound {
			t.Errorf("take in %s: %d, want 404", name, res.StatusCode)
		}
	}
	// Another hub's director, in reach of Léa, cannot take her in the Besançon hub; the Dole
	// director cannot take her in Dole (45 km).
	for _, email := range []string{"dir25b@example.fr", "dir39@example.fr", "pref39@example.fr"} {
		b := login(email)
		if res := take(b, besancon, kids["Tom"], takeInDay); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s takes in at Besançon: %d, want 404", email, res.StatusCode)
		}
		if res := b.get(page + "?nom=Mar"); res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "Tom") {
			t.Errorf("%s searches at Besançon: %d, want 404", email, res.StatusCode)
		}
	}
	if res := take(login("dir39@example.fr"), hubs["0390002B"], kids["Léa"], takeInDay); res.StatusCode != http.StatusNotFound {
		t.Errorf("the Dole director takes in Léa: %d, want 404", res.StatusCode)
	}
	if res := take(dir, besancon, kids["Léa"], takeInDay.AddDate(0, 0, 1)); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("take in tomorrow: %d, want 422", res.StatusCode)
	}
	// A level the hub does not take: answered on the roll call, with the hubs that can.
	if res := take(dir, besancon, kids["Lou"], takeInDay); res.StatusCode != http.StatusConflict ||
		!strings.Contains(res.body, "Lou M. ne peut pas être accueilli(e) ici") || !strings.Contains(res.body, "n’accueille pas le niveau Maternelle") ||
		!strings.Contains(res.body, "<strong>École du Centre</strong>, 3 place de la Mairie, Saint-Vit — 17,") {
		t.Errorf("take in Lou (maternelle): %d\n%s", res.StatusCode, res.body)
	}
	if got := hubOf(kids["Noé"]) + hubOf(kids["Lou"]) + hubOf(kids["Léa"]); got != "0390002B0250003C0250003C" {
		t.Fatalf("refused take-ins moved children: %s", got)
	}
	var mails, audits int
	if err := st.DB().Get(&mails, `SELECT count(*) FROM outbox_email WHERE body_text LIKE '%accueilli%'`); err != nil || mails != 0 {
		t.Fatalf("mails after refusals: %d (%v)", mails, err)
	}
	if err := st.DB().Get(&audits, `SELECT count(*) FROM audit_log WHERE action = 'hub.take_in'`); err != nil || audits != 0 {
		t.Fatalf("audits after refusals: %d (%v)", audits, err)
	}
	// Tom, waiting: taken in from the waitlist (before Léa, whose seat freed in Saint-Vit would
	// go to him).
	if res := take(dir, besancon, kids["Tom"], takeInDay); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("take in Tom: %d %s", res.StatusCode, res.body)
	}
	var waiting int
	if err := st.DB().Get(&waiting, `SELECT count(*) FROM waitlist_entry WHERE child_id = $1`, kids["Tom"]); err != nil || waiting != 0 || hubOf(kids["Tom"]) != "0250001A" {
		t.Errorf("Tom after his take-in: %d waitlist entries, hub %s (%v)", waiting, hubOf(kids["Tom"]), err)
	}
	// Léa, placed in Saint-Vit 17 km away: taken in, marked arrived at once, e-mailed, audited.
	res := take(dir, besancon, kids["Léa"], takeInDay)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("take in Léa: %d %s", res.StatusCode, res.body)
	}
	if got := hubOf(kids["Léa"]); got != "0250001A" {
		t.Errorf("Léa is in %s after her take-in", got)
	}
	var arrival struct {
		Hub    int64  `db:"hub_id"`
		Status string `db:"status"`
		At     string `db:"arrived_at"`
	}
	if err := st.DB().Get(&arrival, `SELECT hub_id, status, to_char(arrived_at, 'HH24:MI') AS arrived_at FROM attendance WHERE child_id = $1`, kids["Léa"]); err != nil ||
		arrival.Hub != besancon || arrival.Status != "present" || arrival.At != "09:10" {
		t.Errorf("Léa's mark after her take-in: %+v (%v), want present at Besançon at 09:10", arrival, err)
	}
	if body := dir.get(res.Header.Get("Location")).body; !strings.Contains(body, "Martin est accueilli(e) ici et marqué(e) arrivé(e) à 09:10") ||
		!strings.Contains(body, "Présent 09:10") {
		t.Errorf("no notice after Léa's take-in (%s):\n%s", res.Header.Get("Location"), body)
	}
	var body string
	if err := st.DB().Get(&body, `SELECT body_text FROM outbox_email WHERE to_address = 'p3@example.fr' AND body_text LIKE '%accueilli%'`); err != nil {
		t.Fatalf("no take-in e-mail to Léa's family: %v", err)
	}
	if !strings.Contains(body, "Léa a été accueilli(e) au pôle École Jean-Macé, 1 rue Jean-Macé, Besançon le 06/03/2031.") || !strings.Contains(body, "Léa was taken in") {
		t.Errorf("take-in e-mail:\n%s", body)
	}
	var audit struct {
		Account string `db:"email"`
		IP      string `db:"ip"`
		Child   string `db:"object_id"`
		Hub     int64  `db:"hub"`
		Day     string `db:"day"`
	}
	if err := st.DB().Get(&audit, `SELECT a.email, host(l.ip) AS ip, l.object_id, l.hub_id AS hub, l.day::text AS day
		FROM audit_log l JOIN account a ON a.id = l.account_id WHERE l.action = 'hub.take_in' AND l.object_id = $1`, fmt.Sprint(kids["Léa"])); err != nil {
		t.Fatalf("take-in audit: %v", err)
	}
	if audit.Account != "dir25@example.fr" || audit.IP == "" || audit.Child != fmt.Sprint(kids["Léa"]) || audit.Hub != besancon || audit.Day != "2031-03-06" {
		t.Errorf("take-in audit: %+v", audit)
	}
	// She is on the roll call with her full name now, and on the sheet of this hub only.
	if body := dir.get(page).body; !strings.Contains(body, "Martin Léa") {
		t.Error("Léa is not on the roll call after her take-in")
	}
	sheet := func(b *browser, hub int64) string {
		return b.get(fmt.Sprintf("/poles/%d/feuille?jour=%s&format=html", hub, takeInDay.Format(time.DateOnly))).body
	}
	if s := sheet(dir, besancon); !strings.Contains(s, "Léa") || !strings.Contains(s, "Asthme sévère") {
		t.Error("the Besançon sheet lacks Léa or her health note once taken in")
	}
	if s := sheet(login("dir25b@example.fr"), hubs["0250003C"]); strings.Contains(s, "Léa") || strings.Contains(s, "Asthme") {
		t.Error("the Saint-Vit sheet still shows Léa")
	}
	// No seat left: refused by the capacity invariant, nothing moves.
	if _, err := st.DB().Exec(`UPDATE hub_day_capacity SET capacity = placed WHERE hub_id = $1`, besancon); err != nil {
		t.Fatal(err)
	}
	if res := take(dir, besancon, kids["Jade"], takeInDay); res.StatusCode != http.StatusConflict ||
		!strings.Contains(res.body, "Jade M. ne peut pas être accueilli(e) ici") || !strings.Contains(res.body, "aucune place libre en Élémentaire") ||
		!strings.Contains(res.body, "<strong>École du Centre</strong>") || !strings.Contains(res.body, "Appel — École Jean-Macé") {
		t.Errorf("take in with no seat: %d, want 409 on the roll call\n%s", res.StatusCode, res.body)
	}
	if got := hubOf(kids["Jade"]); got != "0250003C" {
		t.Errorf("Jade moved to %s with no seat", got)
	}
	if _, err := st.DB().Exec(`UPDATE hub_day_capacity SET capacity = 30 WHERE hub_id = $1`, besancon); err != nil {
		t.Fatal(err)
	}
	// Checked in at Saint-Vit, Jade is out of the search and of reach; marked absent there, she
	// may be taken in, and her mark here replaces the absence.
	saintVit := login("dir25b@example.fr")
	mark := func(b *browser, hub int64, m string) {
		t.Helper()
		path := fmt.Sprintf("/poles/%d/appel", hub)
		if res := b.post(path, url.Values{"csrf": {b.csrf(path)}, "child": {fmt.Sprint(kids["Jade"])}, "mark": {m},
			"jour": {takeInDay.Format(time.DateOnly)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark %s: %d", m, res.StatusCode)
		}
	}
	mark(saintVit, hubs["0250003C"], "arrived")
	if body := dir.get(page + "?nom=Mar").body; strings.Contains(body, "Jade") {
		t.Error("the search shows a child checked in at another hub")
	}
	if res := take(dir, besancon, kids["Jade"], takeInDay); res.StatusCode != http.StatusNotFound {
		t.Errorf("take in a child checked in elsewhere: %d, want 404", res.StatusCode)
	}
	mark(saintVit, hubs["0250003C"], "absent")
	if res := take(dir, besancon, kids["Jade"], takeInDay); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("take in Jade, absent at Saint-Vit: %d", res.StatusCode)
	}
	mark(dir, besancon, "arrived")
	var markedAt int64
	var status string
	if err := st.DB().QueryRow(`SELECT hub_id, status FROM attendance WHERE child_id = $1`, kids["Jade"]).Scan(&markedAt, &status); err != nil || markedAt != besancon || status != "present" {
		t.Errorf("Jade's mark: hub %d, %s (%v), want present at Besançon", markedAt, status, err)
	}
	if err := st.DB().Get(&audits, `SELECT count(*) FROM audit_log WHERE action = 'hub.take_in'`); err != nil || audits != 3 {
		t.Errorf("take-ins audited: %d (%v), want 3", audits, err)
	}
}
