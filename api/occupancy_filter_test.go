package api_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

var (
	hubRow   = regexp.MustCompile(`<tr data-hub="(\d+)">`)
	nextPage = regexp.MustCompile(`<a class="fr-pagination__link fr-pagination__link--next[^"]*" href="([^"]+)"`)
)

// occupancyRows follows the overview's pages from path on and returns the hubs of every row,
// failing on a hub shown twice.
func occupancyRows(t *testing.T, b *browser, path string) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	for pages := 0; path != ""; pages++ {
		if pages > 50 {
			t.Fatalf("more than 50 pages from %s", path)
		}
		res := b.get(path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		rows := hubRow.FindAllStringSubmatch(res.body, -1)
		if len(rows) > 50 {
			t.Errorf("%s: %d rows on one page", path, len(rows))
		}
		for _, m := range rows {
			if seen[m[1]] {
				t.Errorf("hub %s shown twice (%s)", m[1], path)
			}
			seen[m[1]] = true
			ids = append(ids, m[1])
		}
		path = ""
		if m := nextPage.FindStringSubmatch(res.body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	return ids
}

// hubIDsWhere returns the IDs of the hubs open on day that the SQL condition on h (hub) and c
// (its commune) keeps.
func hubIDsWhere(t *testing.T, st *store.Store, day time.Time, cond string, args ...any) []string {
	t.Helper()
	var ids []string
	err := st.DB().Select(&ids, `SELECT h.id::text FROM hub h JOIN commune c ON c.insee_code = h.commune_code
		WHERE EXISTS (SELECT 1 FROM hub_day_capacity x WHERE x.hub_id = h.id AND x.day = $1) AND `+cond+` ORDER BY h.id`,
		append([]any{day}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestOccupancyFiltersPagesAndSearch: on the demo académie (395 hubs), the overview shows 50 hubs
// a page and every hub once over its pages; the search ignores accents and case; the
// département and occupancy filters keep exactly their hubs; the alerts are counts linking to
// the filtered table; the CSV holds every filtered hub, not a page; a prefecture agent asking
// for another département gets none of its hubs.
func TestOccupancyFiltersPagesAndSearch(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	seed, _ := demo.Generate(2021, pgtest.Today())
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	day := seed.OpenDays[1]
	if _, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), seed.OpenDays[1:2], false, 3, 0); err != nil {
		t.Fatal(err)
	}
	d := day.Format(time.DateOnly)
	rect := newBrowser(t, app)
	rect.login(demo.RectoratEmail, demo.StaffPassword)

	all := hubIDsWhere(t, st, day, "true")
	if len(all) < 300 {
		t.Fatalf("the demo has %d hubs open on %s", len(all), d)
	}
	first := rect.get("/occupation?jour=" + d)
	if n := len(hubRow.FindAllString(first.body, -1)); n != 50 {
		t.Errorf("first page: %d rows, want 50", n)
	}
	if want := fmt.Sprintf("Pôles 1 à 50 sur %d", len(all)); !strings.Contains(first.body, want) {
		t.Errorf("first page does not say %q", want)
	}
	if got := occupancyRows(t, rect, "/occupation?jour="+d); !sameIDs(got, all) {
		t.Errorf("the pages show %d hubs, SQL counts %d open", len(got), len(all))
	}
	last := rect.get("/occupation?jour=" + d + "&page=999")
	if n := len(hubRow.FindAllString(last.body, -1)); n != len(all)-(len(all)-1)/50*50 {
		t.Errorf("a page past the end: %d rows, want the last page's", n)
	}

	// Search: no accent, any case, hyphen or space; the same hubs as SQL's case-folded match.
	besancon := hubIDsWhere(t, st, day, `lower(h.name || ' ' || c.name) LIKE '%besançon%'`)
	if len(besancon) < 10 {
		t.Fatalf("only %d hubs in Besançon", len(besancon))
	}
	for _, q := range []string{"Besancon", "BESANÇON", "besançon", "  besancon "} {
		if got := occupancyRows(t, rect, "/occupation?jour="+d+"&q="+strings.ReplaceAll(q, " ", "+")); !sameIDs(got, besancon) {
			t.Errorf("search %q: %d hubs, want the %d of Besançon", q, len(got), len(besancon))
		}
	}
	csv := rect.get("/occupation?format=csv&jour=" + d + "&q=besancon")
	if n := strings.Count(csv.body, "\n") - 1; n != len(besancon) {
		t.Errorf("CSV of the search: %d lines, want %d (every hub, not a page)", n, len(besancon))
	}

	// Département filter, within the académie.
	jura := hubIDsWhere(t, st, day, `c.departement_code = '39'`)
	if got := occupancyRows(t, rect, "/occupation?jour="+d+"&departement=39"); !sameIDs(got, jura) || len(jura) == 0 {
		t.Errorf("département 39: %d hubs, want %d", len(got), len(jura))
	}
	if !strings.Contains(first.body, `<option value="39">39 Jura</option>`) {
		t.Error("the rectorat's département filter does not offer the Jura")
	}

	// Alerts: a count per kind, linking to the table filtered on it, which holds that many hubs.
	full := regexp.MustCompile(`href="/occupation\?jour=` + d + `&amp;etat=full#poles">(\d+) pôles occupés à plus de 90`).FindStringSubmatch(first.body)
	if full == nil {
		t.Fatalf("no count of full hubs linking to the filtered table")
	}
	var fullN int
	fmt.Sscan(full[1], &fullN)
	fullRows := occupancyRows(t, rect, "/occupation?jour="+d+"&etat=full")
	if len(fullRows) != fullN || fullN == 0 {
		t.Errorf("the alert counts %d full hubs, the filtered table shows %d", fullN, len(fullRows))
	}
	var fullSQL int
	if err := st.DB().Get(&fullSQL, `SELECT count(*) FROM (SELECT x.hub_id FROM hub_day_capacity x WHERE x.day = $1 GROUP BY x.hub_id
		HAVING sum(x.capacity) > 0 AND (sum(x.placed) * 100 + sum(x.capacity) / 2) / sum(x.capacity) > 90) f`, day); err != nil {
		t.Fatal(err)
	}
	if fullSQL != fullN {
		t.Errorf("alert: %d full hubs, SQL counts %d", fullN, fullSQL)
	}
	if strings.Count(first.body, `href="/poles/`) > 50 {
		t.Errorf("the page links %d hubs: the alerts list names again", strings.Count(first.body, `href="/poles/`))
	}

	// A prefecture agent: its département only, whatever the filter asks.
	pref := newBrowser(t, app)
	pref.login("prefecture25@demo.test", demo.StaffPassword)
	doubs := hubIDsWhere(t, st, day, `c.departement_code = '25'`)
	if got := occupancyRows(t, pref, "/occupation?jour="+d); !sameIDs(got, doubs) {
		t.Errorf("the Doubs agent sees %d hubs, want the %d of the Doubs", len(got), len(doubs))
	}
	other := pref.get("/occupation?jour=" + d + "&departement=39")
	if n := len(hubRow.FindAllString(other.body, -1)); n != 0 {
		t.Errorf("the Doubs agent filtering on the Jura sees %d hubs", n)
	}
	if csv := pref.get("/occupation?format=csv&jour=" + d + "&departement=39"); strings.Count(csv.body, "\n") != 1 {
		t.Errorf("the Doubs agent's CSV of the Jura: %d lines", strings.Count(csv.body, "\n"))
	}
	if strings.Contains(other.body, `value="39"`) || strings.Contains(other.body, "Jura") {
		t.Error("the Doubs agent is offered the Jura")
	}
}

// TestOccupancySilentHubsFilter: past 10:00 on the day itself, a hub with children placed and no
// roll-call mark is counted in the alerts and kept by its filter; none of another département.
func TestOccupancySilentHubsFilter(t *testing.T) {
	at := pgtest.Weekday()
	at = time.Date(at.Year(), at.Month(), at.Day(), 11, 0, 0, 0, at.Location())
	today := store.DefaultAllocationPolicy().Today(at)
	app, st := newAppAt(t, api.DefaultConfig(), at)
	loadAndPlace(t, st, twoDepartements(today), today)
	b := newBrowser(t, app)
	b.login("pref25@example.fr", goodPassword)
	page := b.get("/occupation")
	if !strings.Contains(page.body, "etat=silent#poles\">1 pôle n’a pas commencé l’appel") {
		t.Errorf("no count of the silent hub:\n%s", page.body)
	}
	silent := b.get("/occupation?etat=silent")
	if rows := hubRow.FindAllString(silent.body, -1); len(rows) != 1 || !strings.Contains(silent.body, "Jean-Macé") || strings.Contains(silent.body, "Pasteur") {
		t.Errorf("silent filter: %d rows", len(rows))
	}
	// Once the roll call has started, the hub leaves the filter.
	if _, err := st.DB().Exec(`INSERT INTO attendance (child_id, day, hub_id, status, arrived_at) SELECT child_id, day, hub_id, 'present', '08:00' FROM placement WHERE day = $1`, today); err != nil {
		t.Fatal(err)
	}
	if rows := hubRow.FindAllString(b.get("/occupation?etat=silent").body, -1); len(rows) != 0 {
		t.Errorf("silent filter after the roll call: %d rows", len(rows))
	}
}
