package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

func householdForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf},
		"p1_first": {"Éloïse"}, "p1_last": {"N'Diaye"}, "p1_phone": {"+33 6 12 34 56 78"},
		"p1_profession": {"infirmier"}, "p1_employer": {"CHU de Besançon"},
		"p2_present": {"true"}, "p2_first": {"Lê"}, "p2_last": {"Nguyễn"}, "p2_phone": {"07.11.22.33.44"}, "p2_profession": {""},
		"home_address": {"12 rue de l'École"}, "home_commune": {"Besançon (25000)"}, "work_commune": {"besancon"},
		"sworn": {"true"}}
}

// newParentWithoutHousehold logs in a parent account that has no household yet.
func newParentWithoutHousehold(t *testing.T) (*browser, *store.Store) {
	app, st := newApp(t)
	if err := st.LoadSeed(context.Background(), twoDepartements(time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	createAccount(t, st, store.NewAccount{Email: "new@example.fr", Role: store.RoleParent})
	b := newBrowser(t, app)
	b.login("new@example.fr", goodPassword)
	return b, st
}

func TestParentRegistersTheHousehold(t *testing.T) {
	b, st := newParentWithoutHousehold(t)
	ctx := context.Background()
	if res := b.get("/"); !strings.Contains(res.body, `href="/foyer"`) {
		t.Fatal("the home page does not lead to the household form")
	}
	// Every bad field is named, and nothing is saved.
	for field, tc := range map[string]struct{ value, want string }{
		"sworn":         {"", "Cochez la déclaration sur l’honneur"},
		"p1_phone":      {"12345", "numéro de téléphone à 10 chiffres"},
		"p1_first":      {"Eve\u202e", "ne peut contenir que des lettres"},
		"p1_last":       {"<script>", "ne peut contenir que des lettres"},
		"p1_profession": {"astronaute", "Choisissez une profession de la liste."},
		"home_commune":  {"Atlantis", "Choisissez la commune dans la liste proposée"},
		"p2_first":      {"", "Ce champ est obligatoire."},
		"siblings":      {"half", "Choisissez une valeur de la liste."},
	} {
		form := householdForm(b.csrf("/foyer"))
		form.Set(field, tc.value)
		res := b.post("/foyer", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, tc.want) || !strings.Contains(res.body, `id="`+field+`-error"`) {
			t.Errorf("%s=%q: status %d, want 422 with %q next to the field", field, tc.value, res.StatusCode, tc.want)
		}
	}
	if _, err := st.HouseholdOf(ctx, accountID(t, st, "new@example.fr")); err == nil {
		t.Fatal("a refused form saved a household")
	}
	res := b.post("/foyer", householdForm(b.csrf("/foyer")))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid household: %d\n%s", res.StatusCode, res.body)
	}
	h, err := st.HouseholdOf(ctx, accountID(t, st, "new@example.fr"))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Parents) != 2 || h.Parents[0].FirstName != "Éloïse" || h.Parents[0].Phone != "0612345678" ||
		h.Parents[1].LastName != "Nguyễn" || h.Parents[1].ProfessionCode != "" || h.HomeCommune != "25056" || h.SwornAt.IsZero() {
		t.Errorf("saved household: %+v", h)
	}
	// The form shows the saved household again, the sworn statement unticked.
	form := b.get("/foyer").body
	if !strings.Contains(form, `value="Éloïse"`) || !strings.Contains(form, `value="Besançon"`) || strings.Contains(form, `name="sworn" value="true" checked`) {
		t.Errorf("edit form does not show the household")
	}
}

// The family chooses what happens to brothers and sisters: together where a hub can take them
// (the default), split, or all-or-none; the form explains each choice and shows the saved one.
func TestHouseholdChoosesForBrothersAndSisters(t *testing.T) {
	b, st := newParentWithoutHousehold(t)
	ctx := context.Background()
	page := b.get("/foyer").body
	for _, want := range []string{"N’accueillir mes enfants que s’ils le sont tous", "un enfant sans place ne prive jamais les autres",
		`id="siblings-together" name="siblings" value="together" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("the empty form lacks %q", want)
		}
	}
	for choice, want := range map[string][2]bool{"": {false, false}, "together": {false, false}, "split": {true, false}, "all_or_none": {false, true}} {
		form := householdForm(b.csrf("/foyer"))
		form.Set("siblings", choice)
		if res := b.post("/foyer", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("siblings=%q: %d", choice, res.StatusCode)
		}
		h, err := st.HouseholdOf(ctx, accountID(t, st, "new@example.fr"))
		if err != nil || h.AllowSplit != want[0] || h.AllOrNone != want[1] {
			t.Errorf("siblings=%q: saved allow_split %v, all_or_none %v (%v)", choice, h.AllowSplit, h.AllOrNone, err)
		}
		if choice != "" && !strings.Contains(b.get("/foyer").body, `value="`+choice+`" checked`) {
			t.Errorf("siblings=%q: the form does not show the saved choice", choice)
		}
	}
	// A bad value changes nothing.
	form := householdForm(b.csrf("/foyer"))
	form.Set("siblings", "split")
	b.post("/foyer", form)
	form.Set("siblings", "some")
	if res := b.post("/foyer", form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("siblings=some: %d, want 422", res.StatusCode)
	}
	if h, _ := st.HouseholdOf(ctx, accountID(t, st, "new@example.fr")); !h.AllowSplit || h.AllOrNone {
		t.Errorf("a refused choice changed the household: %+v", h)
	}
	// The database refuses both choices at once.
	_, err := st.SaveHousehold(ctx, accountID(t, st, "new@example.fr"), store.HouseholdInput{
		Parent1:     store.Parent{FirstName: "A", LastName: "B", Phone: "0612345678", ProfessionCode: "infirmier"},
		HomeAddress: "1 rue", HomeCommune: "25056", WorkCommune: "25056", SwornTextVersion: "1", AllowSplit: true, AllOrNone: true})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("both choices: %v, want ErrInvalid", err)
	}
}

func TestCommuneAutocomplete(t *testing.T) {
	app, st := newApp(t)
	if err := st.LoadSeed(context.Background(), twoDepartements(time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	if res := b.get("/api/communes?q=bes"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("visitor: %d, want 401", res.StatusCode)
	}
	b.login("p1@example.fr", goodPassword)
	for q, want := range map[string]string{"besancon": "Besançon (25000)", "BESANÇ": "Besançon (25000)", "39100": "Dole (39100)", "dol": "Dole (39100)"} {
		res := b.get("/api/communes?q=" + url.QueryEscape(q))
		var got []struct {
			Label string `json:"label"`
		}
		if err := json.Unmarshal([]byte(res.body), &got); err != nil || len(got) == 0 || got[0].Label != want {
			t.Errorf("q=%q: %s, want %q first", q, res.body, want)
		}
	}
}

func TestOnlyParentsHaveAHouseholdForm(t *testing.T) {
	app, st := newApp(t)
	if err := st.LoadSeed(context.Background(), twoDepartements(time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("dir25@example.fr", goodPassword)
	if res := b.get("/foyer"); res.StatusCode != http.StatusNotFound {
		t.Errorf("director GET /foyer: %d, want 404", res.StatusCode)
	}
	if res := b.post("/foyer", householdForm(b.csrf("/"))); res.StatusCode != http.StatusNotFound {
		t.Errorf("director POST /foyer: %d, want 404", res.StatusCode)
	}
}

func accountID(t *testing.T, st *store.Store, email string) int64 {
	t.Helper()
	var id int64
	if err := st.DB().Get(&id, `SELECT id FROM account WHERE email = $1`, email); err != nil {
		t.Fatal(err)
	}
	return id
}
