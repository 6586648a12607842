package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func childForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "first_name": {"Éloïse"}, "last_name": {"N'Diaye"}, "birth_date": {"2019-05-01"},
		"health_note":   {"Allergie aux arachides.\nPAI : trousse dans le cartable."},
		"pickup_name_1": {"Mamie Lê"}, "pickup_phone_1": {"03 81 22 33 44"}, "pickup_relation_1": {"grand-mère"}}
}

func TestParentManagesChildren(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	if err := st.LoadSeed(ctx, twoDepartements(time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	today := st.Now()
	for field, tc := range map[string]struct{ value, want string }{
		"birth_date":     {today.AddDate(-16, 0, -1).Format(time.DateOnly), "moins de 16 ans"},
		"first_name":     {"", "Ce champ est obligatoire."},
		"last_name":      {"Dupré\u0007", "ne peut contenir que des lettres"},
		"health_note":    {"ok\u202e", "caractères non autorisés"},
		"pickup_phone_1": {"12", "10 chiffres"},
		"level":          {"lycee", "Choisissez une valeur de la liste."},
	} {
		form := childForm(b.csrf("/enfants/nouveau"))
		form.Set(field, tc.value)
		res := b.post("/enfants", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, tc.want) {
			t.Errorf("%s=%q: %d, want 422 saying %q", field, tc.value, res.StatusCode, tc.want)
		}
	}
	for _, birth := range []string{today.AddDate(0, 0, 3).Format(time.DateOnly), today.AddDate(-1, 0, 0).Format(time.DateOnly), "31/02/2019", "12/31/2019", "2019-02-30", "demain"} {
		form := childForm(b.csrf("/enfants/nouveau"))
		form.Set("birth_date", birth)
		if res := b.post("/enfants", form); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("birth date %s accepted: %d", birth, res.StatusCode)
		}
	}
	var before int
	if err := st.DB().Get(&before, `SELECT count(*) FROM child`); err != nil {
		t.Fatal(err)
	}
	if res := b.post("/enfants", childForm(b.csrf("/enfants/nouveau"))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid child: %d", res.StatusCode)
	}
	var id int64
	var level, note string
	var acc int64
	if err := st.DB().QueryRow(`SELECT c.id, c.level, h.account_id FROM child c JOIN household h ON h.id = c.household_id WHERE c.first_name = 'Éloïse'`).Scan(&id, &level, &acc); err != nil {
		t.Fatal(err)
	}
	if ch, err := st.ChildOf(ctx, acc, id); err != nil {
		t.Fatal(err)
	} else {
		note = ch.HealthNote
	}
	if !strings.Contains(note, "\n") {
		t.Errorf("health note lost its line break: %q", note)
	}
	var clear int
	if err := st.DB().Get(&clear, `SELECT count(*) FROM child_health_note n WHERE strpos(n::text, 'arachides') > 0 OR strpos(encode(n.sealed, 'escape'), 'arachides') > 0`); err != nil || clear != 0 {
		t.Errorf("the note is stored in clear (%d rows, %v)", clear, err)
	}
	var after int
	if err := st.DB().Get(&after, `SELECT count(*) FROM child`); err != nil || after != before+1 {
		t.Fatalf("children: %d then %d", before, after)
	}
	page := fmt.Sprintf("/enfants/%d", id)
	if res := b.get(page); res.StatusCode != 200 || !strings.Contains(res.body, "Mamie Lê") || !strings.Contains(res.body, "Allergie aux arachides.") {
		t.Errorf("edit page: %d, or without the note the parent wrote", res.StatusCode)
	}
	edit := childForm(b.csrf(page))
	edit.Set("first_name", "Chloé")
	edit.Set("birth_date", "2021-05-01") // grande section
	edit.Set("level", "maternelle")
	if res := b.post(page, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, res.body)
	}

	// Another parent, a director and a visitor reach nothing of this child.
	other := newBrowser(t, app)
	other.login("p2@example.fr", goodPassword)
	steal := childForm(other.csrf("/"))
	steal.Set("first_name", "Volé")
	for _, res := range []response{other.get(page), other.post(page, steal), other.post(page+"/supprimer", url.Values{"csrf": {other.csrf("/")}}), other.post(page+"/supprimer", url.Values{"csrf": {other.csrf("/")}, "confirmer": {"oui"}})} {
		if res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "Chloé") {
			t.Errorf("another parent on %s: %d, want 404 with nothing leaked", page, res.StatusCode)
		}
	}
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	if res := dir.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("director: %d", res.StatusCode)
	}
	if err := st.DB().QueryRow(`SELECT first_name, level FROM child WHERE id = $1`, id).Scan(&note, &level); err != nil || note != "Chloé" || level != "maternelle" {
		t.Errorf("child after the others' attempts: %s %s (%v)", note, level, err)
	}
	// Removing the child first asks; only the confirmation removes it, and a message says so.
	if res := b.post(page+"/supprimer", url.Values{"csrf": {b.csrf(page)}}); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Chloé sera retiré(e) de votre foyer") ||
		b.get(page).StatusCode != http.StatusOK {
		t.Fatalf("delete without confirming: %d", res.StatusCode)
	}
	res := b.post(page+"/supprimer", url.Values{"csrf": {b.csrf(page)}, "confirmer": {"oui"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if done := b.get(res.Header.Get("Location")); !strings.Contains(done.body, "L’enfant a été retiré(e) de votre foyer") {
		t.Errorf("no message after removing the child: %s", res.Header.Get("Location"))
	}
	if res := b.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleted child still there: %d", res.StatusCode)
	}
}

// TestChildLevelFollowsTheBirthDate: a level is refused when it does not match the birth date,
// give or take a year, on creation and on update; nothing is kept.
func TestChildLevelFollowsTheBirthDate(t *testing.T) {
	app, st := newApp(t)
	if err := st.LoadSeed(context.Background(), twoDepartements(nextWeekdays(1)[0])); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	// Ages count in school years (from September), not calendar years: a child born in January
	// three years before the current school year's start is in maternelle whatever the month.
	year := pgtest.Today().Year()
	if pgtest.Today().Month() < time.September {
		year--
	}
	threeYearOld := fmt.Sprintf("%d-01-15", year-3)
	for _, tc := range []struct{ birth, level string }{{threeYearOld, "college"}, {threeYearOld, "elementaire"}, {fmt.Sprintf("%d-01-15", year-13), "maternelle"}} {
		form := childForm(b.csrf("/enfants/nouveau"))
		form.Set("birth_date", tc.birth)
		form.Set("level", tc.level)
		res := b.post("/enfants", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Le champ « Niveau scolaire » ne correspond pas à la date de naissance") ||
			!strings.Contains(res.body, `id="level-error"`) {
			t.Errorf("born %s in %s: %d, want 422 naming the level", tc.birth, tc.level, res.StatusCode)
		}
	}
	var children int
	if err := st.DB().Get(&children, `SELECT count(*) FROM child`); err != nil || children != 2 {
		t.Fatalf("children: %d (%v), want the 2 of the seed", children, err)
	}
	// A year ahead is taken: a child in its last year of maternelle may be in CP.
	form := childForm(b.csrf("/enfants/nouveau"))
	form.Set("birth_date", fmt.Sprintf("%d-03-01", year-5))
	form.Set("level", "elementaire")
	if res := b.post("/enfants", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a year ahead: %d", res.StatusCode)
	}
	var id int64
	if err := st.DB().Get(&id, `SELECT max(id) FROM child`); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/enfants/%d", id)
	edit := childForm(b.csrf(page))
	edit.Set("birth_date", threeYearOld)
	edit.Set("level", "college")
	res := b.post(page, edit)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Le champ « Niveau scolaire » ne correspond pas") {
		t.Errorf("update to a 3-year-old in collège: %d", res.StatusCode)
	}
	var level, birth string
	if err := st.DB().QueryRow(`SELECT level, birth_date::text FROM child WHERE id = $1`, id).Scan(&level, &birth); err != nil ||
		level != "elementaire" || birth != fmt.Sprintf("%d-03-01", year-5) {
		t.Errorf("after a refused update: %s born %s (%v)", level, birth, err)
	}
}

// Browsers without a date picker let parents type the date the French way, as the hint says.
func TestBirthDateTypedTheFrenchWay(t *testing.T) {
	app, st := newApp(t)
	if err := st.LoadSeed(context.Background(), twoDepartements(time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	for i, typed := range []string{"01/05/2019", "2/5/2019", " 03.05.2019 ", "04-05-2019"} {
		form := childForm(b.csrf("/enfants/nouveau"))
		form.Set("first_name", "Éloïse"+strings.Repeat("e", i))
		form.Set("birth_date", typed)
		if res := b.post("/enfants", form); res.StatusCode != http.StatusSeeOther {
			t.Errorf("birth date typed %q: %d", typed, res.StatusCode)
		}
	}
	var births []string
	if err := st.DB().Select(&births, `SELECT to_char(birth_date, 'YYYY-MM-DD') FROM child WHERE first_name LIKE 'Éloïse%' ORDER BY first_name`); err != nil {
		t.Fatal(err)
	}
	if want := "2019-05-01 2019-05-02 2019-05-03 2019-05-04"; strings.Join(births, " ") != want {
		t.Errorf("birth dates stored %v, want %s", births, want)
	}
	form := childForm(b.csrf("/enfants/nouveau"))
	form.Set("birth_date", "31/02/2019")
	if res := b.post("/enfants", form); !strings.Contains(res.body, "JJ/MM/AAAA") {
		t.Errorf("a wrong date is not explained in the format the hint gives: %d", res.StatusCode)
	}
}
