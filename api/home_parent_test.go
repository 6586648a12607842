package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestParentHomeSaysWhereWhenAndWhatToBring: the parent's home answers, per child and week,
// where the child goes (hub, address, commune), when (the hub's hours, the booked times), how to
// reach the hub (phone, map) and what to bring, and says what a proposed seat means — in
// French and in English, without a table.
func TestParentHomeSaysWhereWhenAndWhatToBring(t *testing.T) {
	app, st := newApp(t)
	// A Monday two weeks ahead: its seats are proposed (the cutoff is the day before).
	day := pgtest.Today().AddDate(0, 0, 14)
	for day.Weekday() != time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	seed := twoDepartements(day)
	seed.Hubs[0].Phone, seed.Hubs[0].OpensAt, seed.Hubs[0].ClosesAt = "0381123456", "07:45", "18:00"
	seed.Households[0].Children[0].HealthNote = "Asthme : ventoline dans le sac."
	seed.Hubs[1].Capacity = map[store.Level]int{store.Elementaire: 0}
	loadAndPlace(t, st, seed, day)
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	body := b.get("/").body
	for _, want := range []string{
		"Zoé — semaine du lundi",
		"École Jean-Macé", "1 rue Jean-Macé", "25000 Besançon",
		"Ouvert de 7\u00a0h\u00a045 à 18\u00a0h", "Direction : Directrice Doubs",
		`href="tel:&#43;33381123456"`, "03\u00a081\u00a012\u00a034\u00a056",
		"https://www.openstreetmap.org/?mlat=47.25000&amp;mlon=6.02000",
		"arrivée 8\u00a0h, départ 17\u00a0h",
		"Place proposée : rien à faire de votre part. La veille de chaque jour à 16\u00a0h,",
		"À apporter", "l’attestation de votre employeur", "un repas pour midi", "les médicaments et la copie du PAI de Zoé",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	for _, not := range []string{"<table", "École Pasteur de Dole", "Noé", "Place confirmée :", "dir25@example.fr"} {
		if strings.Contains(body, not) {
			t.Errorf("home shows %q", not)
		}
	}
	// A child waiting (no hub in reach: Dole's is closed that day) reads why, and what comes next.
	waiting := newBrowser(t, app)
	waiting.login("p2@example.fr", goodPassword)
	wbody := waiting.get("/").body
	for _, want := range []string{"Noé — semaine du lundi", "Liste d’attente : rien à faire de votre part.",
		"Aucun pôle ouvert ce jour-là n&#39;accueille ce niveau à moins de 20 km"} {
		if !strings.Contains(wbody, want) {
			t.Errorf("the waiting family's home lacks %q", want)
		}
	}
	if strings.Contains(wbody, "À apporter") {
		t.Error("the waiting family is told what to bring to no hub")
	}
	b.get("/langue?lang=en&next=/")
	body = b.get("/").body
	for _, want := range []string{"Zoé — week of Monday", "Open from 7:45 to 18:00", "arrive 8:00, leave 17:00",
		"Seat proposed: nothing for you to do. At 16:00 the day before", "What to bring", "Zoé’s medicine"} {
		if !strings.Contains(body, want) {
			t.Errorf("English home lacks %q", want)
		}
	}
}

// TestParentWithoutChildIsAskedToAddOne: before any child, neither the home nor the booking
// page offers to book; both say to add a child, with the link.
func TestParentWithoutChildIsAskedToAddOne(t *testing.T) {
	b, _ := newParentWithoutHousehold(t)
	res := b.post("/foyer", householdForm(b.csrf("/foyer")))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("household: %d", res.StatusCode)
	}
	home := b.get(res.Header.Get("Location")).body
	if !strings.Contains(home, "Foyer enregistré.") {
		t.Error("no notice after saving the household")
	}
	if strings.Contains(home, `href="/reserver"`) || !strings.Contains(home, "Ajoutez d’abord un enfant") || !strings.Contains(home, `href="/enfants/nouveau"`) {
		t.Error("the home offers to book before any child, or does not say to add one")
	}
	if b.get("/").body == home {
		t.Error("the notice shows again on the next visit")
	}
	booking := b.get("/reserver")
	if booking.StatusCode != http.StatusOK || !strings.Contains(booking.body, "Ajoutez d’abord un enfant") ||
		!strings.Contains(booking.body, `href="/enfants/nouveau"`) || strings.Contains(booking.body, `action="/reserver"`) {
		t.Errorf("booking without a child: %d, want the page saying to add a child", booking.StatusCode)
	}
}

// TestHouseholdFormSecondParentPartFollowsItsBox: the second parent's fields sit in the part
// app.js hides while "Ajouter un second parent" is unticked, under an "optional" legend for
// browsers without JavaScript.
func TestHouseholdFormSecondParentPartFollowsItsBox(t *testing.T) {
	b, _ := newParentWithoutHousehold(t)
	form := b.get("/foyer").body
	part := regexpFind(t, form, `(?s)(<div class="ap-fieldset-part" id="p2-fields" data-shown-by="p2_present">.*?</fieldset>)`)
	for _, field := range []string{"p2_first", "p2_last", "p2_phone", "p2_profession", "p2_employer"} {
		if !strings.Contains(part, `name="`+field+`"`) {
			t.Errorf("%s is outside the part its box shows", field)
		}
	}
	if !strings.Contains(form, "Parent 2 (facultatif)") {
		t.Error("the second parent is not labelled optional")
	}
}

// TestPhoneMenuWithoutJavaScript: every page carries a plain menu (a <details>, no script) with
// the language switch and, logged in, the logout form, for phones where the DSFR's menu button
// cannot open.
func TestPhoneMenuWithoutJavaScript(t *testing.T) {
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "new@example.fr", Role: store.RoleParent})
	b := newBrowser(t, app)
	menu := regexpFind(t, b.get("/connexion").body, `(?s)(<div class="fr-container ap-nojs-menu">.*?</details>)`)
	for _, want := range []string{"<summary>Menu</summary>", `href="/langue?lang=en&amp;next=%2fconnexion"`, `href="/inscription"`} {
		if !strings.Contains(menu, want) {
			t.Errorf("menu without JavaScript lacks %q", want)
		}
	}
	b.login("new@example.fr", goodPassword)
	menu = regexpFind(t, b.get("/").body, `(?s)(<div class="fr-container ap-nojs-menu">.*?</details>)`)
	if !strings.Contains(menu, `action="/deconnexion"`) || !strings.Contains(menu, `name="csrf"`) {
		t.Error("menu without JavaScript has no logout")
	}
}

// TestBookingFormSentAgainAfterBackEmailsOnce: "back" reloads the form (no-store), which brings
// a new key; sent again with the same choices, it shows the same answer and e-mails nothing more.
func TestBookingFormSentAgainAfterBackEmailsOnce(t *testing.T) {
	b, st, days, _ := bookingApp(t)
	var childID int64
	if err := st.DB().Get(&childID, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	send := func() response {
		form := b.get("/reserver").body
		return b.post("/reserver", url.Values{"csrf": {b.csrf("/reserver")}, "key": {regexpFind(t, form, `name="key" value="([^"]+)"`)},
			"child": {fmt.Sprint(childID)}, "day": {days[2].Format(time.DateOnly)}, "location": {"home"}, "arrive_at": {"08:00"}, "depart_at": {"17:00"}})
	}
	first, again := send(), send()
	if first.StatusCode != http.StatusOK || again.StatusCode != http.StatusOK || !strings.Contains(again.body, "École Jean-Macé") {
		t.Fatalf("booking, then again: %d, %d", first.StatusCode, again.StatusCode)
	}
	var mails int
	if err := st.DB().Get(&mails, `SELECT count(*) FROM outbox_email WHERE to_address = 'p1@example.fr' AND kind = 'booking'`); err != nil || mails != 1 {
		t.Errorf("booking e-mails: %d (%v), want 1", mails, err)
	}
}
