package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// TestWhatIfFollowsRolesAndScope: prefecture agents and the rectorat try out changes on the
// hubs of their scope only; nothing is changed; bad input is refused naming the field.
func TestWhatIfFollowsRolesAndScope(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	day := nextWeekdays(1)[0]
	loadAndPlace(t, st, twoDepartements(day), day)
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A", "0390002B"})
	d := day.Format(time.DateOnly)
	state := func() string {
		var s string
		if err := st.DB().Get(&s, `SELECT (SELECT string_agg(hub_id || ':' || capacity || ':' || placed, ',' ORDER BY hub_id) FROM hub_day_capacity)
			|| '/' || (SELECT count(*) FROM placement) || '/' || (SELECT count(*) FROM waitlist_entry) || '/' || (SELECT count(*) FROM audit_log WHERE action LIKE 'hub.%') || '/' || (SELECT count(*) FROM outbox_email)`); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := state()
	page := func(codes ...string) string {
		return "/simulation?" + url.Values{"jour": {d}, "c": codes}.Encode()
	}

	pref := newBrowser(t, app)
	pref.login("pref25@example.fr", goodPassword)
	res := pref.get(page(fmt.Sprintf("capacite:%d:elementaire:0", ids[0])))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "1 enfant(s) perdraient leur place") ||
		!strings.Contains(res.body, fmt.Sprintf(`href="/poles/%d/capacite?capacite=0&amp;jour=%s&amp;niveau=elementaire"`, ids[0], d)) {
		t.Fatalf("Doubs agent cuts a Doubs hub: %d\n%s", res.StatusCode, res.body)
	}
	// Its hub list holds its own hubs only.
	if strings.Contains(res.body, "École Pasteur de Dole") || !strings.Contains(res.body, "École Jean-Macé") {
		t.Error("the Doubs agent's hub list is not the Doubs'")
	}
	if res := pref.get(page(fmt.Sprintf("fermer:%d", ids[1]))); res.StatusCode != http.StatusNotFound {
		t.Errorf("Doubs agent closes a Jura hub in a what-if: %d", res.StatusCode)
	}
	add := func(b *browser, form url.Values) response {
		form.Set("jour", d)
		return b.get("/simulation?" + form.Encode())
	}
	if res := add(pref, url.Values{"ajouter": {"fermer"}, "pole": {fmt.Sprint(ids[1])}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `id="fermer-pole-error">Choisissez un pôle dans la liste.`) {
		t.Errorf("adding another département's hub: %d", res.StatusCode)
	}
	if res := add(pref, url.Values{"ajouter": {"ouvrir"}, "commune": {"Dole (39100)"}, "elementaire": {"15"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `id="ouvrir-commune-error"`) {
		t.Errorf("opening a hub in a Jura commune: %d", res.StatusCode)
	}
	if res := add(pref, url.Values{"ajouter": {"capacite"}, "pole": {fmt.Sprint(ids[0])}, "niveau": {"elementaire"}, "capacite": {"-3"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `id="capacite-capacite-error">Saisissez un nombre de places entre 0 et 500.`) {
		t.Errorf("a negative capacity: %d", res.StatusCode)
	}
	if res := pref.get(page("capacite:nope")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a change that does not read: %d", res.StatusCode)
	}
	if res := pref.get("/simulation?jour=2001-01-01"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="jour-error"`) {
		t.Errorf("a past day: %d", res.StatusCode)
	}
	// A good add form comes back at the page's own address, the change added.
	res = add(pref, url.Values{"ajouter": {"ouvrir"}, "commune": {"Besançon (25000)"}, "elementaire": {"10"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "c=commune%3A25056%3A0%3A10%3A0") {
		t.Fatalf("adding a new hub: %d %s", res.StatusCode, loc)
	}
	// Closing the Doubs hub and opening one in Besançon: Zoé would go to the new hub, which has
	// no lever.
	res = pref.get(page(fmt.Sprintf("fermer:%d", ids[0]), "commune:25056:0:10:0"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "<td>École Jean-Macé</td><td>Besançon</td><td>1</td>") ||
		!strings.Contains(res.body, "Aucun levier n’ouvre un pôle") {
		t.Errorf("close and open: %d\n%s", res.StatusCode, res.body)
	}

	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	if res := dir.get(page(fmt.Sprintf("fermer:%d", ids[0]))); res.StatusCode == http.StatusOK {
		t.Errorf("a director runs a what-if: %d", res.StatusCode)
	}
	rect := newBrowser(t, app)
	rect.login("rectorat@example.fr", goodPassword)
	if res := rect.get(page(fmt.Sprintf("fermer:%d", ids[1]))); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "1 enfant(s) perdraient leur place") {
		t.Errorf("the rectorat closes the Jura hub in a what-if: %d", res.StatusCode)
	}
	// The full view shows the week's objective, its bound and the gap, before and after, as the
	// store computes them; in English too.
	cut := fmt.Sprintf("capacite:%d:elementaire:0", ids[0])
	want, err := st.RunWhatIf(ctx, store.DefaultAllocationPolicy(), store.Scope{Role: store.RoleRectorat},
		store.WhatIf{Days: []time.Time{day}, Changes: []store.WhatIfChange{{Action: store.WhatIfCapacity, HubID: ids[0], Level: store.Elementaire}}})
	// (After the day's cutoff its seats are confirmed: fixed, they leave the run nothing to
	// place, and every figure is 0; store's TestWhatIfCapacityCutMatchesTheLever checks them.)
	if err != nil || want.FullBefore.ObjectiveKm < want.FullBefore.WeekBoundKm {
		t.Fatalf("the what-if's full view: %v %+v", err, want.FullBefore)
	}
	row := func(label string, before, after float64, format func(frontend.Lang, float64) string, lang frontend.Lang) string {
		label = strings.ReplaceAll(label, "+", "&#43;") // as html/template writes it
		return fmt.Sprintf("<tr><th scope=\"row\">%s</th><td>%s</td><td>%s</td></tr>", label, format(lang, before), format(lang, after))
	}
	gap := func(lang frontend.Lang, x float64) string { return frontend.FormatDecimal(lang, x, 2) + " %" }
	for _, c := range []struct {
		lang                          frontend.Lang
		objective, weekBound, weekGap string
	}{
		{frontend.French, "Objectif : kilomètres + 20 km par jour hors du pôle habituel", "Borne de la semaine (objectif)", "Écart à la borne de la semaine"},
		{frontend.English, "Objective: kilometres + 20 km per day away from the usual hub", "Week bound (objective)", "Gap to the week bound"},
	} {
		rect.get("/langue?lang=" + string(c.lang) + "&next=/")
		res := rect.get(page(cut))
		for _, r := range []string{
			row(c.objective, want.FullBefore.ObjectiveKm, want.FullAfter.ObjectiveKm, frontend.FormatKm, c.lang),
			row(c.weekBound, want.FullBefore.WeekBoundKm, want.FullAfter.WeekBoundKm, frontend.FormatKm, c.lang),
			row(c.weekGap, want.FullBefore.WeekGapPercent, want.FullAfter.WeekGapPercent, gap, c.lang),
		} {
			if !strings.Contains(res.body, r) {
				t.Errorf("%s: the what-if does not show %s\n%s", c.lang, r, res.body)
			}
		}
	}
	if after := state(); after != before {
		t.Errorf("the what-if changed the data:\n%s\n%s", before, after)
	}
}
